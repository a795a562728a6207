import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { barGeometry } from '../../../src/web/admin/svg-bars'

const labels = (n: number) => Array.from({ length: n }, (_, i) => String(i))

describe('barGeometry', () => {
  it('draws one bar per label, inside the plot, side by side without overlap, as tall as its value says', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 30 }), (values) => {
        const g = barGeometry({ labels: labels(values.length), values })
        expect(g.bars).toHaveLength(values.length)
        const max = Math.max(...values)
        expect(g.yMax).toBeGreaterThanOrEqual(max)
        const full = g.plot.bottom - g.plot.top
        g.bars.forEach((b, i) => {
          expect(b.value).toBe(values[i])
          expect(b.x).toBeGreaterThanOrEqual(g.plot.left)
          expect(b.x + b.width).toBeLessThanOrEqual(g.plot.right + 0.1)
          expect(b.y).toBeGreaterThanOrEqual(g.plot.top - 0.1)
          expect(b.y + b.height).toBeCloseTo(g.plot.bottom, 0)
          expect(b.height).toBeCloseTo((values[i]! / g.yMax) * full, 0)
          const next = g.bars[i + 1]
          if (next) expect(next.x).toBeGreaterThanOrEqual(b.x + b.width)
        })
        // The tallest value gets the tallest bar.
        const tallest = Math.max(...g.bars.map((b) => b.height))
        expect(g.bars[values.indexOf(max)]?.height).toBe(tallest)
      }),
    )
  })

  it('draws nothing tall for zeros, negatives, NaN or missing values, and keeps every label', () => {
    const g = barGeometry({ labels: labels(5), values: [0, -3, Number.NaN, Number.POSITIVE_INFINITY] })
    expect(g.bars.map((b) => [b.label, b.value, b.height])).toEqual([
      ['0', 0, 0],
      ['1', 0, 0],
      ['2', 0, 0],
      ['3', 0, 0],
      ['4', 0, 0],
    ])
    expect(g.yMax).toBe(1)
    expect(barGeometry({ labels: [], values: [] }).bars).toEqual([])
  })

  it('reads its y axis in round numbers from zero to the top', () => {
    const g = barGeometry({ labels: labels(3), values: [3, 7, 2] })
    expect(g.yMax).toBe(10)
    expect(g.yTicks.map((t) => t.label)).toEqual(['0', '5', '10'])
  })
})
