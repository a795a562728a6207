import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateObjectives, inWindow, lookbackMinutes } from '../../../src/ops/alert-evaluation'
import { burnRules, firing } from '../../../src/ops/burn-rate-alerts'
import { histogramSize, rollUp, type MetricPoint, type MetricRollup } from '../../../src/ops/metrics'
import { countsOf, type SloObjective } from '../../../src/ops/slo-objectives'

const NOW = Date.UTC(2026, 2, 16, 12, 0, 30)
const MIN = 60_000

const checkout: SloObjective = { id: 'checkout_availability', description: 'checkouts without a 5xx', target: 0.99, periodDays: 30, indicator: { kind: 'route', names: ['POST /v1/checkout'], sli: 'availability' } }
const checkoutLatency: SloObjective = { ...checkout, id: 'checkout_latency', indicator: { kind: 'route', names: ['POST /v1/checkout'], sli: 'latency', thresholdMs: 1000 } }

/** `n` points of `name`, `bad` of them failed, each `durationMs`, `minutesAgo` before NOW. */
const points = (n: number, bad: number, minutesAgo: number, opts: { name?: string; kind?: MetricPoint['kind']; durationMs?: number } = {}): MetricPoint[] =>
  Array.from({ length: n }, (_, i) => ({ kind: opts.kind ?? 'route', name: opts.name ?? 'POST /v1/checkout', error: i < bad, durationMs: opts.durationMs ?? 40, at: NOW - minutesAgo * MIN }))

const rollups = (...ps: MetricPoint[][]): MetricRollup[] => [...rollUp(ps.flat()).values()]

describe('counting an objective’s events', () => {
  it('availability: every event of its kind and names counts, the failed ones are bad; other names and kinds are not its events', () => {
    const r = rollups(points(10, 3, 1), points(50, 50, 1, { name: 'GET /v1/listings' }), points(5, 5, 1, { kind: 'consumer' }))
    expect(countsOf(checkout.indicator, r)).toEqual({ total: 10, good: 7 })
  })

  it('latency: good is what took at most the threshold, failed or not', () => {
    const r = rollups(points(4, 0, 1, { durationMs: 1000 }), points(3, 0, 1, { durationMs: 1001 }), points(2, 2, 1, { durationMs: 20 }), points(1, 0, 1, { durationMs: 90_000 }))
    expect(countsOf(checkoutLatency.indicator, r)).toEqual({ total: 10, good: 6 })
  })

  it('a window takes the minutes that start within it and before now, nothing older or later', () => {
    const r = rollups(points(1, 0, 0), points(1, 0, 4), points(1, 0, 5), points(1, 0, 6), points(1, 0, -1))
    // NOW is 30 s into its minute: 5 minutes back reaches 11:55:30, so the minute of 11:55 is out.
    expect(inWindow(r, NOW, 5).map((x) => (NOW - x.minute) / MIN)).toEqual([0.5, 4.5])
  })

  it('asks for six hours of metrics, the longest window of the rules', () => {
    expect(lookbackMinutes()).toBe(360)
  })
})

describe('evaluating objectives', () => {
  it('a gateway failing every checkout for the last ten minutes fires both rules; a clean hour after, nothing', () => {
    const r = rollups(...Array.from({ length: 10 }, (_, m) => points(20, 20, m)))
    const [e] = evaluateObjectives([checkout], r, NOW)
    expect(e?.firing.map((f) => f.dedupKey)).toEqual(['checkout_availability:fast_burn', 'checkout_availability:slow_burn'])
    expect(e?.windows.find((w) => w.minutes === 5)).toEqual({ minutes: 5, total: 100, good: 0, burnRate: expect.closeTo(100, 6) as number })
    // Half an hour later the short windows are empty: the cause is gone, both resolve.
    expect(evaluateObjectives([checkout], r, NOW + 31 * MIN)[0]?.firing).toEqual([])
  })

  it('a latency objective burns on slow answers, not on failed fast ones', () => {
    const slow = rollups(...Array.from({ length: 10 }, (_, m) => points(20, 0, m, { durationMs: 4000 })))
    const failedFast = rollups(...Array.from({ length: 10 }, (_, m) => points(20, 20, m, { durationMs: 30 })))
    expect(evaluateObjectives([checkoutLatency], slow, NOW)[0]?.firing).toHaveLength(2)
    expect(evaluateObjectives([checkoutLatency], failedFast, NOW)[0]?.firing).toEqual([])
  })

  const rollupArb = fc.record({
    minutesAgo: fc.integer({ min: -2, max: 400 }),
    name: fc.constantFrom('POST /v1/checkout', 'GET /v1/listings'),
    total: fc.integer({ min: 0, max: 500 }),
    errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
    bucket: fc.integer({ min: 0, max: histogramSize - 1 }),
  })
  const build = (xs: { minutesAgo: number; name: string; total: number; errorShare: number; bucket: number }[]): MetricRollup[] =>
    xs.map((x) => {
      const histogram = new Array<number>(histogramSize).fill(0)
      histogram[x.bucket] = x.total
      return { minute: NOW - (NOW % MIN) - x.minutesAgo * MIN, kind: 'route', name: x.name, total: x.total, errors: Math.floor(x.total * x.errorShare), histogram }
    })

  it('fires exactly what the rules say for the counts of each window, and good never exceeds total (property)', () => {
    fc.assert(
      fc.property(fc.array(rollupArb, { maxLength: 40 }), fc.constantFrom(checkout, checkoutLatency), (xs, o) => {
        const r = build(xs)
        const [e] = evaluateObjectives([o], r, NOW)
        const counts = new Map(e?.windows.map((w) => [w.minutes, { total: w.total, good: w.good }]))
        for (const w of e?.windows ?? []) {
          expect(w.good).toBeGreaterThanOrEqual(0)
          expect(w.good).toBeLessThanOrEqual(w.total)
          expect(w).toMatchObject(countsOf(o.indicator, inWindow(r, NOW, w.minutes)))
        }
        expect(e?.firing).toEqual(firing(o, counts, burnRules))
      }),
    )
  })

  it('more failures never silence a firing rule (property)', () => {
    fc.assert(
      fc.property(fc.array(rollupArb, { maxLength: 40 }), (xs) => {
        const before = evaluateObjectives([checkout], build(xs), NOW)[0]?.firing.map((f) => f.dedupKey) ?? []
        const worse = evaluateObjectives([checkout], build(xs.map((x) => ({ ...x, errorShare: Math.min(1, x.errorShare + 0.5) }))), NOW)[0]?.firing.map((f) => f.dedupKey) ?? []
        expect(worse).toEqual(expect.arrayContaining(before))
      }),
    )
  })

  it('no events, no alerts', () => {
    expect(evaluateObjectives([checkout, checkoutLatency], [], NOW).flatMap((e) => e.firing)).toEqual([])
  })
})
