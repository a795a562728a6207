import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_AMOUNT } from '../../../src/core/money'
import { bidIncrement } from '../../../src/listings/increments'

// eBay US bid increments (in cents): the last price of each band and the first of the next.
const edges: [price: number, increment: number][] = [
  [1, 5],
  [99, 5], // $0.99
  [100, 25], // $1.00
  [499, 25], // $4.99
  [500, 50], // $5.00
  [2_499, 50], // $24.99
  [2_500, 100], // $25.00
  [9_999, 100], // $99.99
  [10_000, 250], // $100.00
  [24_999, 250], // $249.99
  [25_000, 500], // $250.00
  [49_999, 500], // $499.99
  [50_000, 1_000], // $500.00
  [99_999, 1_000], // $999.99
  [100_000, 2_500], // $1,000.00
  [249_999, 2_500], // $2,499.99
  [250_000, 5_000], // $2,500.00
  [499_999, 5_000], // $4,999.99
  [500_000, 10_000], // $5,000.00
  [MAX_AMOUNT, 10_000],
]

describe('bidIncrement', () => {
  it.each(edges)('at %i cents the increment is %i cents', (price, increment) => {
    expect(bidIncrement(price)).toBe(increment)
  })

  it('never falls as the price rises', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT }), fc.integer({ min: 1, max: MAX_AMOUNT }), (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x]
        expect(bidIncrement(lo)).toBeLessThanOrEqual(bidIncrement(hi))
      }),
    )
  })
})
