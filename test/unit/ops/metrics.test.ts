import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketOf, durationBoundsMs, histogramSize, metricKinds, minuteOf, quantileMs, rollUp, type MetricPoint } from '../../../src/ops/metrics'
import { countsOf, defaultObjectives, goodOf, SloObjectivesSchema, type Sli } from '../../../src/ops/slo-objectives'

const point = fc.record({
  kind: fc.constantFrom(...metricKinds),
  name: fc.constantFrom('GET /v1/me', 'POST /v1/checkout', 'webhook.delivery'),
  error: fc.boolean(),
  durationMs: fc.double({ min: 0, max: 120_000, noNaN: true }),
  at: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3_600_000 }),
}) satisfies fc.Arbitrary<MetricPoint>

const histogram = fc.array(fc.nat({ max: 1000 }), { minLength: histogramSize, maxLength: histogramSize })

describe('bucketOf', () => {
  it('puts a duration in the first bucket whose bound it does not exceed, and past 60 s in the overflow', () => {
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(1)).toBe(0)
    expect(bucketOf(1.01)).toBe(1)
    expect(bucketOf(300)).toBe(durationBoundsMs.indexOf(300))
    expect(bucketOf(301)).toBe(durationBoundsMs.indexOf(500))
    expect(bucketOf(60_000)).toBe(durationBoundsMs.length - 1)
    expect(bucketOf(60_001)).toBe(durationBoundsMs.length)
  })

  it('never decreases with the duration, and a bucket always holds its duration (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(bucketOf(lo)).toBeLessThanOrEqual(bucketOf(hi))
        const i = bucketOf(lo)
        if (i < durationBoundsMs.length) expect(lo).toBeLessThanOrEqual(durationBoundsMs[i]!)
        if (i > 0) expect(lo).toBeGreaterThan(durationBoundsMs[i - 1]!)
      }),
    )
  })
})

describe('rollUp', () => {
  it('keys by minute, kind and name, and adds into an existing map', () => {
    const at = 1_700_000_040_000
    const into = rollUp([{ kind: 'route', name: 'GET /v1/me', error: false, durationMs: 4, at }])
    rollUp([{ kind: 'route', name: 'GET /v1/me', error: true, durationMs: 400, at: at + 1000 }, { kind: 'route', name: 'GET /v1/me', error: false, durationMs: 4, at: at + 60_000 }], into)
    const rollups = [...into.values()]
    expect(rollups.map((r) => [r.minute, r.total, r.errors])).toEqual([
      [minuteOf(at), 2, 1],
      [minuteOf(at + 60_000), 1, 0],
    ])
    expect(rollups[0]!.histogram[bucketOf(4)]).toBe(1)
    expect(rollups[0]!.histogram[bucketOf(400)]).toBe(1)
  })

  it('counts every point once: totals equal the points, errors the failed ones, and each histogram sums to its total (property)', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 200 }), (points) => {
        const rollups = [...rollUp(points).values()]
        expect(rollups.reduce((s, r) => s + r.total, 0)).toBe(points.length)
        expect(rollups.reduce((s, r) => s + r.errors, 0)).toBe(points.filter((p) => p.error).length)
        for (const r of rollups) {
          expect(r.histogram).toHaveLength(histogramSize)
          expect(r.histogram.reduce((a, b) => a + b, 0)).toBe(r.total)
          expect(r.minute % 60_000).toBe(0)
        }
      }),
    )
  })
})

describe('quantileMs', () => {
  it('gives the bound of the bucket the rank falls in, the last bound for the overflow, null without points', () => {
    const h = new Array<number>(histogramSize).fill(0)
    h[bucketOf(3)] = 98
    h[bucketOf(250)] = 1
    h[histogramSize - 1] = 1
    expect(quantileMs(h, 0.5)).toBe(5)
    expect(quantileMs(h, 0.99)).toBe(300)
    expect(quantileMs(h, 1)).toBe(60_000)
    expect(quantileMs(new Array<number>(histogramSize).fill(0), 0.99)).toBeNull()
  })

  it('never decreases as q grows (property)', () => {
    fc.assert(
      fc.property(histogram, fc.double({ min: 0.001, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), (h, a, b) => {
        fc.pre(h.some((n) => n > 0))
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(quantileMs(h, lo)!).toBeLessThanOrEqual(quantileMs(h, hi)!)
      }),
    )
  })
})

describe('objectives', () => {
  const latency: Sli = { kind: 'route', names: ['POST /v1/checkout'], sli: 'latency', thresholdMs: 300 }
  const availability: Sli = { kind: 'route', names: ['POST /v1/checkout'], sli: 'availability' }

  it('counts latency exactly from the histogram (within the threshold is good) and availability from errors', () => {
    const points: MetricPoint[] = [250, 300, 301, 2000].map((durationMs, i) => ({ kind: 'route', name: 'POST /v1/checkout', error: i === 3, durationMs, at: 1_700_000_000_000 }))
    const rollups = [...rollUp([...points, { kind: 'route', name: 'GET /v1/me', error: true, durationMs: 1, at: 1_700_000_000_000 }]).values()]
    expect(countsOf(latency, rollups)).toEqual({ total: 4, good: 2 })
    expect(countsOf(availability, rollups)).toEqual({ total: 4, good: 3 })
    expect(countsOf({ ...availability, kind: 'consumer' }, rollups)).toEqual({ total: 0, good: 0 })
  })

  it('never counts more good events than events (property)', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 100 }), fc.constantFrom(...durationBoundsMs), (points, thresholdMs) => {
        for (const r of rollUp(points).values()) {
          for (const sli of [{ ...latency, thresholdMs }, availability]) {
            expect(goodOf(sli, r)).toBeGreaterThanOrEqual(0)
            expect(goodOf(sli, r)).toBeLessThanOrEqual(r.total)
          }
        }
      }),
    )
  })

  it('accepts the defaults and refuses a target outside (0, 1), a threshold that is not a bound, and a repeated id, saying which', () => {
    expect(SloObjectivesSchema.safeParse(defaultObjectives).success).toBe(true)
    const base = defaultObjectives[1]!
    const problems = (value: unknown) => {
      const r = SloObjectivesSchema.safeParse(value)
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    }
    expect(problems([{ ...base, target: 1 }])).toEqual(['0.target: must be below 1'])
    expect(problems([{ ...base, target: 0 }])).toEqual(['0.target: must be above 0'])
    expect(problems([{ ...base, indicator: { ...base.indicator, thresholdMs: 250 } }])[0]).toMatch(/^0\.indicator\.thresholdMs: must be a histogram bound/)
    expect(problems([base, base])).toEqual([`: objective ${base.id} is defined twice`])
    expect(problems([{ ...base, indicator: { kind: 'route', names: ["GET /v1/x' OR 1=1"], sli: 'availability' } }])).toHaveLength(1)
  })
})
