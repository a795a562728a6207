import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chartGeometry, linePath, niceCeiling, timeLabel } from '../../../src/web/admin/svg-chart'

const T0 = Date.parse('2026-03-16T10:00:00.000Z')
const minutes = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 60_000)

/** The (x, y) pairs a path visits, in order, and how many times it lifts the pen. */
function visits(d: string): { moves: number; xy: [number, number][] } {
  const xy: [number, number][] = []
  let moves = 0
  for (const m of d.matchAll(/([ML])(-?[\d.]+),(-?[\d.]+)/g)) {
    if (m[1] === 'M') moves++
    xy.push([Number(m[2]), Number(m[3])])
  }
  return { moves, xy }
}

describe('niceCeiling', () => {
  it('rounds up to 1, 2 or 5 times a power of ten, and gives 1 for nothing', () => {
    expect([0.03, 0.7, 1, 1.2, 3, 7, 14.4, 99, 101, 450].map(niceCeiling)).toEqual([0.05, 1, 1, 2, 5, 10, 20, 100, 200, 500])
    expect([0, -3, 5e-324, Number.NaN, Number.POSITIVE_INFINITY].map(niceCeiling)).toEqual([1, 1, 1, 1, 1])
  })

  it('is never below its input nor more than 2.5 times it', () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (v) => {
      const c = niceCeiling(v)
      expect(c).toBeGreaterThanOrEqual(v * (1 - 1e-9))
      expect(c).toBeLessThanOrEqual(v * 2.5 + 1e-9)
    }))
  })
})

describe('linePath', () => {
  const x = (i: number) => i * 10
  const y = (v: number) => 100 - v

  it('draws one line through every value, in order', () => {
    const { d, points } = linePath([1, 2, 3], x, y)
    expect(d).toBe('M0,99 L10,98 L20,97')
    expect(points).toBe(3)
  })

  it('breaks the line at a gap and draws a lone value as a dot, never as zero', () => {
    const { d, points } = linePath([5, null, 7, 8, null, Number.NaN, 4], x, y)
    expect(d).toBe('M0,95l0,0 M20,93 L30,92 M60,96l0,0')
    expect(points).toBe(4)
  })

  it('draws nothing for no values', () => {
    expect(linePath([], x, y)).toEqual({ d: '', points: 0 })
    expect(linePath([null, null], x, y)).toEqual({ d: '', points: 0 })
  })

  it('visits exactly the finite values, left to right, lifting the pen once per run', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 1000 }))
    fc.assert(fc.property(fc.array(value, { maxLength: 60 }), (values) => {
      const { d, points } = linePath(values, x, y)
      const { moves, xy } = visits(d)
      const expected = values.flatMap((v, i) => (v === null ? [] : [[x(i), y(v)] as [number, number]]))
      expect(xy).toEqual(expected)
      expect(points).toBe(expected.length)
      const runs = values.filter((v, i) => v !== null && (i === 0 || values[i - 1] === null)).length
      expect(moves).toBe(runs)
    }))
  })
})

describe('chartGeometry', () => {
  it('keeps every point inside the plot, the largest value under the top of a round axis', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 120 }), (values) => {
      const g = chartGeometry({ times: minutes(values.length), series: [{ label: 'p99', values }] })
      for (const [px, py] of visits(g.lines[0]!.d).xy) {
        expect(px).toBeGreaterThanOrEqual(g.plot.left - 0.1)
        expect(px).toBeLessThanOrEqual(g.plot.right + 0.1)
        expect(py).toBeGreaterThanOrEqual(g.plot.top - 0.1)
        expect(py).toBeLessThanOrEqual(g.plot.bottom + 0.1)
      }
      const max = Math.max(0, ...values.filter((v): v is number => v !== null))
      expect(g.yMax).toBeGreaterThanOrEqual(max)
    }))
  })

  it('puts the highest value highest and zero on the baseline', () => {
    const g = chartGeometry({ times: minutes(3), series: [{ label: 'requests', values: [0, 50, 100] }] })
    const [a, b, c] = visits(g.lines[0]!.d).xy
    expect(a![1]).toBe(g.plot.bottom)
    expect(c![1]).toBe(g.plot.top)
    expect(b![1]).toBeCloseTo((g.plot.top + g.plot.bottom) / 2, 0)
    expect(a![0]).toBe(g.plot.left)
    expect(c![0]).toBe(g.plot.right)
  })

  it('still has axes, ticks and an empty line with no data at all', () => {
    const g = chartGeometry({ times: [], series: [{ label: 'p50', values: [] }] })
    expect(g.lines).toEqual([{ label: 'p50', d: '', points: 0 }])
    expect(g.yMax).toBe(1)
    expect(g.yTicks).toHaveLength(5)
    expect(g.xTicks).toEqual([])
  })

  it('labels the time axis in UTC and draws thresholds inside the axis', () => {
    const g = chartGeometry({ times: minutes(61), series: [{ label: 'burn', values: new Array<number>(61).fill(0.5) }], thresholds: [{ value: 14.4, label: 'fast burn' }, { value: 1, label: 'budget' }] })
    expect(g.xTicks.map((t) => t.label)).toEqual(['10:00', '10:15', '10:30', '10:45', '11:00'])
    expect(g.xTicks.map((t) => t.anchor)).toEqual(['start', 'middle', 'middle', 'middle', 'end'])
    expect(g.yMax).toBe(20)
    expect(g.thresholds.map((t) => t.label)).toEqual(['fast burn', 'budget'])
    expect(g.thresholds[0]!.y).toBeLessThan(g.thresholds[1]!.y)
  })
})

describe('timeLabel', () => {
  it('adds the day when the window spans more than a day', () => {
    expect(timeLabel(T0, 3_600_000)).toBe('10:00')
    expect(timeLabel(T0, 2 * 86_400_000)).toBe('03-16 10:00')
  })
})
