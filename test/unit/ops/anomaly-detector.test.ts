import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anomalyDedupKey, defaultAnomalySettings, detectAnomalies, ewma, type AnomalySettings } from '../../../src/ops/anomaly-detector'
import { histogramSize, type MetricRollup } from '../../../src/ops/metrics'

const MIN = 60_000
const NOW = Date.UTC(2026, 2, 16, 12, 0, 30)
const S: AnomalySettings = defaultAnomalySettings

/** One `checkout.payment` rollup `minutesAgo` before NOW (0: the minute NOW is in). */
const minute = (minutesAgo: number, total: number, errors: number, name = 'checkout.payment'): MetricRollup => ({
  minute: NOW - (NOW % MIN) - minutesAgo * MIN,
  kind: 'outcome',
  name,
  total,
  errors,
  histogram: [total, ...new Array<number>(histogramSize - 1).fill(0)],
})

/** A steady history from `from` minutes ago down to `to`, `errors` of `total` failing each minute. */
const steady = (from: number, to: number, total: number, errors: number, name?: string): MetricRollup[] => Array.from({ length: from - to + 1 }, (_, i) => minute(from - i, total, errors, name))

const decline = (r: MetricRollup[], open: ReadonlySet<string> = new Set(), s = S) => detectAnomalies(r, NOW, open, s).firing.filter((f) => f.objective === 'checkout_decline_rate')

describe('the EWMA baseline', () => {
  it('of a constant is that constant with no spread; it moves towards new values by alpha', () => {
    expect(ewma([0.1, 0.1, 0.1], 0.2)).toEqual({ mean: 0.1, sd: 0, minutes: 3 })
    const b = ewma([0, 1], 0.5)
    expect(b.mean).toBeCloseTo(0.5)
    expect(b.sd).toBeCloseTo(0.5)
    expect(ewma([], 0.1)).toEqual({ mean: 0, sd: 0, minutes: 0 })
  })
})

describe('the anomaly detector', () => {
  it('fires on a decline spike above a quiet baseline, with its own dedup key and a summary that says the rate', () => {
    const r = [...steady(60, 5, 40, 1), ...steady(4, 0, 40, 20)]
    const [f] = decline(r)
    expect(f).toMatchObject({ dedupKey: 'anomaly:checkout_decline_rate', rule: 'ewma_anomaly', severity: 'error' })
    expect(f?.reading.rate).toBeCloseTo(0.5)
    expect(f?.summary).toMatch(/^checkout decline rate at 50\.0% over the last 5 min \(200 events; baseline 2\.5% ±/)
    // The webhook series is its own: a checkout spike says nothing about it.
    expect(detectAnomalies(r, NOW).firing.map((x) => x.dedupKey)).toEqual([anomalyDedupKey('checkout_decline_rate')])
  })

  it('webhook failures fire theirs', () => {
    const r = [...steady(60, 5, 30, 0, 'webhook.delivery'), ...steady(4, 0, 30, 30, 'webhook.delivery')]
    expect(detectAnomalies(r, NOW).firing.map((x) => x.dedupKey)).toEqual(['anomaly:webhook_failure_rate'])
  })

  it('does not fire below the floor, however far above the baseline', () => {
    expect(decline([...steady(60, 5, 100, 0), ...steady(4, 0, 100, 15)])).toEqual([])
  })

  it('stays open while the rate stays above the floor, though the baseline has learnt it; resolves below the floor', () => {
    const lasting = steady(120, 0, 40, 20)
    expect(decline(lasting)).toEqual([])
    expect(decline(lasting, new Set(['anomaly:checkout_decline_rate']))).toHaveLength(1)
    expect(decline([...steady(120, 5, 40, 20), ...steady(4, 0, 40, 2)], new Set(['anomaly:checkout_decline_rate']))).toEqual([])
  })

  it('with no history, a rate above the floor on enough events is anomalous', () => {
    expect(decline(steady(4, 0, 10, 5))).toHaveLength(1)
  })

  const history = fc.record({ minutes: fc.integer({ min: 0, max: 120 }), total: fc.integer({ min: 1, max: 200 }), share: fc.double({ min: 0, max: 1, noNaN: true }) })

  it('a steady rate never fires, whatever it is (property)', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 5 }), ({ minutes, total, share }, scale) => {
        const errors = Math.floor(total * share)
        // The same rate each minute; the current window may carry more traffic at that rate.
        const r = [...steady(minutes + 6, 5, total, errors), ...steady(4, 0, total * scale, errors * scale)]
        expect(detectAnomalies(r, NOW).firing).toEqual([])
      }),
    )
  })

  it('a jump well above a steady baseline fires (property)', () => {
    fc.assert(
      fc.property(history, fc.double({ min: 0.3, max: 1, noNaN: true }), fc.integer({ min: 4, max: 100 }), ({ minutes, total, share }, lift, perMinute) => {
        const base = Math.floor(total * Math.min(share, 0.1)) / total
        const errors = Math.ceil(perMinute * Math.min(1, Math.max(base + lift, S.floor + 0.01)))
        const r = [...steady(minutes + 6, 5, total, Math.round(base * total)), ...steady(4, 0, perMinute, errors)]
        expect(decline(r)).toHaveLength(1)
      }),
    )
  })

  it('too few events never fire, whatever the rate (property)', () => {
    fc.assert(
      fc.property(history, fc.array(fc.record({ total: fc.integer({ min: 0, max: 3 }), share: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 5, maxLength: 5 }), ({ minutes, total }, current) => {
        const r = [...steady(minutes + 6, 5, total, 0), ...current.map((c, i) => minute(i, c.total, Math.floor(c.total * c.share)))]
        // At most 15 events in the window, under the 20 it needs.
        expect(decline(r, new Set(['anomaly:checkout_decline_rate']))).toEqual([])
      }),
    )
  })
})
