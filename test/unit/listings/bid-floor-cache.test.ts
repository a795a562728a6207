import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Money } from '../../../src/core/money'
import { BidFloorCache } from '../../../src/listings/bid-floor-cache'
import { eur, usd } from './fixtures'

describe('BidFloorCache', () => {
  it('refuses only bids strictly under the floor it has seen, quoting the minimum', () => {
    const cache = new BidFloorCache()
    cache.raise('lst_1', usd(3_101), usd(3_200))
    expect(cache.refuses('lst_1', usd(3_100))).toEqual(usd(3_200))
    expect(cache.refuses('lst_1', usd(3_101))).toBeUndefined()
    expect(cache.refuses('lst_1', usd(50_000))).toBeUndefined()
  })

  it('leaves unknown listings and other currencies to the object', () => {
    const cache = new BidFloorCache()
    cache.raise('lst_1', usd(3_101), usd(3_200))
    expect(cache.refuses('lst_2', usd(1))).toBeUndefined()
    expect(cache.refuses('lst_1', eur(1))).toBeUndefined()
  })

  it('never lets a lower floor, or a floor in another currency, replace a higher one', () => {
    const cache = new BidFloorCache()
    cache.raise('lst_1', usd(5_001), usd(5_100))
    cache.raise('lst_1', usd(3_101), usd(3_200)) // an older answer arriving late
    cache.raise('lst_1', eur(9_000), eur(9_100))
    expect(cache.refuses('lst_1', usd(5_000))).toEqual(usd(5_100))
    expect(cache.refuses('lst_1', eur(8_000))).toBeUndefined()
    cache.raise('lst_1', usd(6_001), usd(6_100))
    expect(cache.refuses('lst_1', usd(6_000))).toEqual(usd(6_100))
  })

  it('never quotes a minimum under the floor itself', () => {
    const cache = new BidFloorCache()
    cache.raise('lst_1', usd(5_001), usd(4_000))
    expect(cache.refuses('lst_1', usd(10))).toEqual(usd(5_001))
  })

  it('forgets a listing on request', () => {
    const cache = new BidFloorCache()
    cache.raise('lst_1', usd(5_001), usd(5_100))
    cache.forget('lst_1')
    expect(cache.refuses('lst_1', usd(10))).toBeUndefined()
  })

  it('holds at most `capacity` listings, evicting the one raised longest ago', () => {
    const cache = new BidFloorCache(2)
    cache.raise('lst_1', usd(100), usd(105))
    cache.raise('lst_2', usd(100), usd(105))
    cache.raise('lst_1', usd(200), usd(205)) // lst_1 is now the most recent
    cache.raise('lst_3', usd(100), usd(105))
    expect(cache.refuses('lst_2', usd(1))).toBeUndefined()
    expect(cache.refuses('lst_1', usd(1))).toEqual(usd(205))
    expect(cache.refuses('lst_3', usd(1))).toEqual(usd(105))
  })

  it('refuses a bid only if some floor seen for that listing, in that currency, was above it', () => {
    const raiseArb = fc.record({
      listing: fc.constantFrom('lst_1', 'lst_2', 'lst_3'),
      floor: fc.integer({ min: 1, max: 10_000 }),
      minimumOver: fc.integer({ min: -100, max: 500 }),
      currency: fc.constantFrom<Money['currency']>('USD', 'USD', 'USD', 'EUR'),
    })
    const bidArb = fc.record({ listing: fc.constantFrom('lst_1', 'lst_2', 'lst_3'), amount: fc.integer({ min: 1, max: 11_000 }), currency: fc.constantFrom<Money['currency']>('USD', 'EUR') })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(fc.oneof(raiseArb, bidArb), { maxLength: 60, size: 'max' }), (capacity, ops) => {
        const cache = new BidFloorCache(capacity)
        const seen: { listing: string; floor: number; currency: string }[] = []
        for (const op of ops) {
          if ('floor' in op) {
            cache.raise(op.listing, { amount: op.floor, currency: op.currency }, { amount: op.floor + op.minimumOver, currency: op.currency })
            seen.push(op)
            continue
          }
          const quoted = cache.refuses(op.listing, { amount: op.amount, currency: op.currency })
          if (quoted === undefined) continue
          const justified = seen.some((s) => s.listing === op.listing && s.currency === op.currency && op.amount < s.floor)
          expect(justified).toBe(true)
          expect(quoted.currency).toBe(op.currency)
          expect(quoted.amount).toBeGreaterThan(op.amount)
        }
      }),
    )
  })
})
