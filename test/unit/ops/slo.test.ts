import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { alertActions, burnRules, firing, windowsNeeded, type Alert, type WindowCounts } from '../../../src/ops/burn-rate-alerts'
import { budgetLeft, burnRate, type Objective } from '../../../src/ops/slo'

const checkout: Objective = { id: 'checkout_availability', description: 'checkouts answered without a 5xx', target: 0.999, periodDays: 30 }
const counts = (entries: [number, number, number][]): WindowCounts => new Map(entries.map(([minutes, total, good]) => [minutes, { total, good }]))

describe('burn rate and error budget', () => {
  it('burns at 1× when the bad fraction equals the budget, 14.4× at 14.4 times it, and not at all without events', () => {
    expect(burnRate(checkout, { total: 100_000, good: 99_900 })).toBeCloseTo(1)
    expect(burnRate(checkout, { total: 10_000, good: 10_000 - 144 })).toBeCloseTo(14.4)
    expect(burnRate(checkout, { total: 0, good: 0 })).toBe(0)
  })

  it('leaves the whole budget with no bad events, half with half of it spent, and less than nothing past it', () => {
    expect(budgetLeft(checkout, { total: 1_000_000, good: 1_000_000 })).toBe(1)
    expect(budgetLeft(checkout, { total: 1_000_000, good: 999_500 })).toBeCloseTo(0.5)
    expect(budgetLeft(checkout, { total: 1_000_000, good: 998_000 })).toBeCloseTo(-1)
    expect(budgetLeft(checkout, { total: 0, good: 0 })).toBe(1)
  })

  it('never burns less when more events go bad (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1000 }), (total, goodRaw, more) => {
        const good = Math.min(goodRaw, total)
        const worse = Math.max(0, good - more)
        expect(burnRate(checkout, { total, good: worse })).toBeGreaterThanOrEqual(burnRate(checkout, { total, good }))
        expect(budgetLeft(checkout, { total, good: worse })).toBeLessThanOrEqual(budgetLeft(checkout, { total, good }))
      }),
    )
  })
})

describe('multiwindow burn-rate alerts', () => {
  it('asks the metrics for the four windows of the SRE workbook’s two rules', () => {
    expect(windowsNeeded()).toEqual([5, 30, 60, 360])
    expect(burnRules.map((r) => [r.id, r.longMinutes, r.shortMinutes, r.rate])).toEqual([
      ['fast_burn', 60, 5, 14.4],
      ['slow_burn', 360, 30, 6],
    ])
  })

  it('fires the fast rule only when both its hour and its five minutes burn past 14.4×', () => {
    const bad = (n: number, total = 10_000) => [total, total - n] as const
    expect(firing(checkout, counts([[60, ...bad(200)], [5, ...bad(200)]])).map((f) => f.rule)).toEqual(['fast_burn'])
    // The hour burned, but the last five minutes are clean: fixed, so nothing fires.
    expect(firing(checkout, counts([[60, ...bad(200)], [5, ...bad(0)]]))).toEqual([])
    // A spike in the last five minutes alone is not yet significant.
    expect(firing(checkout, counts([[60, ...bad(10)], [5, ...bad(200)]]))).toEqual([])
  })

  it('fires the slow rule on a sustained 6× burn over six hours and the last half hour', () => {
    const f = firing(checkout, counts([[360, 100_000, 100_000 - 700], [30, 10_000, 10_000 - 70], [60, 20_000, 20_000 - 140], [5, 2_000, 2_000 - 14]]))
    expect(f).toEqual([expect.objectContaining({ dedupKey: 'checkout_availability:slow_burn', severity: 'error' })])
  })

  it('fires a rule only if both of its windows burn past its rate, for any counts (property)', () => {
    const window = fc.record({ total: fc.integer({ min: 0, max: 100_000 }), bad: fc.integer({ min: 0, max: 100_000 }) })
    fc.assert(
      fc.property(window, window, window, window, (w5, w30, w60, w360) => {
        const c = (w: { total: number; bad: number }) => ({ total: w.total, good: Math.max(0, w.total - w.bad) })
        const map = counts([
          [5, c(w5).total, c(w5).good],
          [30, c(w30).total, c(w30).good],
          [60, c(w60).total, c(w60).good],
          [360, c(w360).total, c(w360).good],
        ])
        const fired = new Set(firing(checkout, map).map((f) => f.rule))
        for (const r of burnRules) {
          const both = burnRate(checkout, map.get(r.longMinutes)!) > r.rate && burnRate(checkout, map.get(r.shortMinutes)!) > r.rate
          expect(fired.has(r.id)).toBe(both)
        }
      }),
    )
  })
})

describe('alertActions', () => {
  const T1 = '2026-12-05T10:00:00.000Z'
  const T2 = '2026-12-05T10:05:00.000Z'
  const burning = firing(checkout, counts([[60, 10_000, 9_800], [5, 1_000, 980]]))

  it('triggers a new alert once, leaves it while it fires, and resolves it once when it stops', () => {
    const first = alertActions([], burning, T1)
    expect(first).toEqual([{ kind: 'trigger', alert: expect.objectContaining({ dedupKey: 'checkout_availability:fast_burn', openedAt: T1, resolvedAt: null, severity: 'critical' }) }])
    const open: Alert[] = first.map((a) => a.alert)
    expect(alertActions(open, burning, T2)).toEqual([])
    expect(alertActions(open, [], T2)).toEqual([{ kind: 'resolve', alert: { ...open[0]!, resolvedAt: T2 } }])
  })

  it('tells the pager about each alert at most once per change, for any sequence of evaluations (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 30 }), (firesEachTime) => {
        let open: Alert[] = []
        let changes = 0
        let previous = false
        for (const fires of firesEachTime) {
          const actions = alertActions(open, fires ? burning : [], T1)
          expect(actions.length).toBe(fires !== previous ? 1 : 0)
          if (actions.length > 0) changes++
          open = fires ? [...open.filter((a) => !actions.some((x) => x.kind === 'resolve' && x.alert.dedupKey === a.dedupKey)), ...actions.filter((a) => a.kind === 'trigger').map((a) => a.alert)] : []
          previous = fires
        }
        expect(changes).toBe(firesEachTime.reduce((n, f, i) => n + (f !== (i === 0 ? false : firesEachTime[i - 1]) ? 1 : 0), 0))
      }),
    )
  })
})
