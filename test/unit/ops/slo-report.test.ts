import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { metricKinds, rollUp, type MetricPoint } from '../../../src/ops/metrics'
import { budgetLeft, burnRate } from '../../../src/ops/slo'
import { countsOf, defaultObjectives, type SloObjective } from '../../../src/ops/slo-objectives'
import { MAX_HOURS, seriesStepMs, sloReport } from '../../../src/ops/slo-report'

const NOW = new Date(Date.UTC(2026, 2, 16, 12, 30, 20))
const at = NOW.getTime()
const MIN = 60_000
const bids = 'POST /v1/listings/:id/bids'
const availability: SloObjective = { id: 'bids_availability', description: 'bids without 5xx', target: 0.99, periodDays: 28, indicator: { kind: 'route', names: [bids], sli: 'availability' } }
const latency: SloObjective = { id: 'bids_latency', description: 'bids within 300 ms', target: 0.9, periodDays: 28, indicator: { kind: 'route', names: [bids], sli: 'latency', thresholdMs: 300 } }

const pts = (n: number, p: Partial<MetricPoint> & { at: number }): MetricPoint[] => Array.from({ length: n }, () => ({ kind: 'route', name: bids, error: false, durationMs: 20, ...p }))
const rollups = (points: MetricPoint[]) => [...rollUp(points).values()]

describe('sloReport', () => {
  it('judges each objective over its period and the burn windows, and names the rules firing', () => {
    // 2 minutes ago: 100 bids, 20 of them 5xx and 30 slow; yesterday, 1000 good ones.
    const recent = rollups([...pts(50, { at: at - 2 * MIN }), ...pts(20, { at: at - 2 * MIN, error: true }), ...pts(30, { at: at - 2 * MIN, durationMs: 900 }), ...pts(1000, { at: at - 86_400_000 })])
    const report = sloReport([availability, latency], { recent }, NOW, { hours: 6 })
    const [a, l] = report.objectives
    expect(a).toMatchObject({ id: 'bids_availability', target: 0.99, periodDays: 28, period: { total: 1100, good: 1080 } })
    expect(a!.budgetLeft).toBeCloseTo(budgetLeft(availability, { total: 1100, good: 1080 }))
    expect(a!.budgetLeft).toBeLessThan(0) // 20 bad of 11 allowed
    // The last day's bids are outside every burn window: 20% bad over 1% allowed is 20× everywhere.
    for (const w of ['5m', '30m', '1h', '6h'] as const) expect(a!.burnRates[w]).toBeCloseTo(20)
    expect(a!.firing).toEqual(['fast_burn', 'slow_burn'])
    expect(l!.period).toEqual({ total: 1100, good: 1070 })
    expect(l!.burnRates['5m']).toBeCloseTo(0.3 / 0.1) // 3×: under both rules
    expect(l!.firing).toEqual([])
  })

  it('lists what ran in the last hour, busiest first, with rate, error rate and percentiles', () => {
    const recent = rollups([
      ...pts(90, { at: at - 10 * MIN, durationMs: 4 }),
      ...pts(10, { at: at - 10 * MIN, durationMs: 250, error: true }),
      { kind: 'consumer', name: 'notifications', error: false, durationMs: 40, at: at - 5 * MIN },
      { kind: 'route', name: 'GET /v1/me', error: false, durationMs: 1, at: at - 2 * 3_600_000 }, // over an hour ago
    ])
    const { routes } = sloReport([], { recent }, NOW)
    expect(routes).toEqual([
      { kind: 'route', name: bids, total: 100, ratePerSecond: 100 / 3600, errorRate: 0.1, p50Ms: 5, p90Ms: 5, p99Ms: 300 },
      { kind: 'consumer', name: 'notifications', total: 1, ratePerSecond: 1 / 3600, errorRate: 0, p50Ms: 50, p90Ms: 50, p99Ms: 50 },
    ])
  })

  it('draws a series of whole steps ending with now’s, each with its requests, error rate, percentiles and burn', () => {
    const recent = rollups([...pts(9, { at: at - 3 * MIN }), ...pts(1, { at: at - 3 * MIN, error: true, durationMs: 2500 })])
    const report = sloReport([availability], { recent }, NOW, { hours: 1 })
    expect(report.stepSeconds).toBe(60)
    expect(report.series).toHaveLength(60)
    expect(report.series.at(-1)!.at).toBe('2026-03-16T12:30:00.000Z')
    const point = report.series.find((p) => p.at === '2026-03-16T12:27:00.000Z')!
    expect(point).toMatchObject({ requests: 10, errorRate: 0.1, p50Ms: 20, p99Ms: 5000 })
    expect(point.burn.bids_availability).toBeCloseTo(10)
    expect(report.series.filter((p) => p.requests > 0)).toHaveLength(1)
  })

  it('reports zeros and nulls, never NaN, without any data', () => {
    const report = sloReport(defaultObjectives, { recent: [] }, NOW)
    const text = JSON.stringify(report)
    expect(text).not.toContain('NaN')
    for (const o of report.objectives) {
      expect(o.period).toEqual({ total: 0, good: 0 })
      expect(o.budgetLeft).toBe(1)
      expect(Object.values(o.burnRates)).toEqual([0, 0, 0, 0])
      expect(o.firing).toEqual([])
    }
    expect(report.routes).toEqual([])
    expect(report.series.every((p) => p.requests === 0 && p.errorRate === 0 && p.p50Ms === null && p.p99Ms === null)).toBe(true)
    expect(report.hours).toBe(6)
  })

  const point = fc.record({
    kind: fc.constantFrom(...metricKinds),
    name: fc.constantFrom(bids, 'GET /v1/me', 'webhook.delivery'),
    error: fc.boolean(),
    durationMs: fc.integer({ min: 0, max: 100_000 }),
    at: fc.integer({ min: at - 50 * 3_600_000, max: at }),
  }) satisfies fc.Arbitrary<MetricPoint>

  it('keeps budget and burn consistent with slo.ts, and the series covers the window with no gaps (property)', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 150 }), fc.integer({ min: 1, max: MAX_HOURS }), (points, hours) => {
        const recent = rollups(points)
        const report = sloReport([availability, latency], { recent }, NOW, { hours })
        report.objectives.forEach((o, i) => {
          const objective = [availability, latency][i]!
          expect(o.budgetLeft).toBeCloseTo(budgetLeft(objective, o.period))
          expect(o.period).toEqual(countsOf(objective.indicator, recent))
          const sixHours = countsOf(objective.indicator, recent.filter((r) => r.minute > at - 360 * MIN))
          expect(o.burnRates['6h']).toBeCloseTo(burnRate(objective, sixHours))
        })
        const step = seriesStepMs(hours)
        expect(report.series).toHaveLength((hours * 3_600_000) / step)
        report.series.forEach((p, i) => {
          if (i > 0) expect(Date.parse(p.at) - Date.parse(report.series[i - 1]!.at)).toBe(step)
          expect(Number.isFinite(p.errorRate)).toBe(true)
        })
        const last = Date.parse(report.series.at(-1)!.at)
        expect(last <= at && at < last + step).toBe(true)
        // Every route point in the window is in exactly one step.
        const inWindow = points.filter((p) => p.kind === 'route' && p.at >= Date.parse(report.series[0]!.at))
        expect(report.series.reduce((s, p) => s + p.requests, 0)).toBe(inWindow.length)
        expect(JSON.stringify(report)).not.toContain('NaN')
      }),
      { numRuns: 60 },
    )
  })
})
