import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { auctionEnd, listingRequestOf } from '../../../../src/web/site/listing-form'

const now = new Date('2026-03-14T09:30:00.000Z')
const base = { title: ' Brass lamp ', description: 'Works. ', category: 'Home', currency: 'EUR' }

describe('listingRequestOf', () => {
  it('makes a fixed-price listing, quantity 1 unless given', () => {
    expect(listingRequestOf({ ...base, format: 'fixed_price', price: '45.00', quantity: '' }, now)).toEqual({
      ok: true,
      body: { title: 'Brass lamp', description: 'Works.', category: 'home', format: 'fixed_price', acceptsOffers: false, price: { amount: 4500, currency: 'EUR' }, quantity: 1 },
    })
    const three = listingRequestOf({ ...base, format: 'fixed_price', price: '2', quantity: '3' }, now)
    expect(three.ok && three.body.quantity).toBe(3)
  })

  it('makes "offers" a fixed price that accepts offers', () => {
    const r = listingRequestOf({ ...base, format: 'offers', price: '45' }, now)
    expect(r.ok && r.body).toMatchObject({ format: 'fixed_price', acceptsOffers: true, price: { amount: 4500, currency: 'EUR' } })
  })

  it('makes an auction ending after its length, with only the optional prices given', () => {
    const r = listingRequestOf({ ...base, format: 'auction', startingBid: '10', reservePrice: '', buyNowPrice: '80.5', endsIn: '3', endsInUnit: 'days', price: '99', quantity: '4' }, now)
    expect(r).toEqual({
      ok: true,
      body: {
        title: 'Brass lamp',
        description: 'Works.',
        category: 'home',
        format: 'auction',
        acceptsOffers: false,
        auction: { startingBid: { amount: 1000, currency: 'EUR' }, buyNowPrice: { amount: 8050, currency: 'EUR' }, endsAt: '2026-03-17T09:30:00.000Z' },
      },
    })
  })

  it('says what is wrong with the form before asking the API', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...base, format: 'barter', price: '1' }, /^Format/],
      [{ ...base, currency: 'XYZ', format: 'fixed_price', price: '1' }, /^Currency/],
      [{ ...base, format: 'fixed_price', price: 'cheap' }, /^Price/],
      [{ ...base, format: 'fixed_price', price: '1', quantity: '1.5' }, /^Quantity/],
      [{ ...base, format: 'fixed_price', price: '1', quantity: '0' }, /^Quantity/],
      [{ ...base, format: 'auction', startingBid: '' , endsIn: '1', endsInUnit: 'days' }, /^Starting bid/],
      [{ ...base, format: 'auction', startingBid: '1', reservePrice: 'x', endsIn: '1', endsInUnit: 'days' }, /^Reserve price/],
      [{ ...base, format: 'auction', startingBid: '1', buyNowPrice: '-1', endsIn: '1', endsInUnit: 'days' }, /^Buy It Now/],
      [{ ...base, format: 'auction', startingBid: '1', endsIn: '1', endsInUnit: 'weeks' }, /^Auction length/],
      [{ ...base, format: 'auction', startingBid: '1', endsIn: '0', endsInUnit: 'days' }, /^Auction length/],
    ]
    for (const [fields, error] of cases) {
      const r = listingRequestOf(fields, now)
      expect(r.ok, JSON.stringify(fields)).toBe(false)
      if (!r.ok) expect(r.error).toMatch(error)
    }
  })

  it('leaves title, description and category for the API to judge', () => {
    const r = listingRequestOf({ format: 'fixed_price', price: '1', currency: 'USD' }, now)
    expect(r.ok && r.body).toMatchObject({ title: '', description: '', category: '' })
  })
})

describe('auctionEnd', () => {
  it('is now plus the length, for every length and unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(['minutes', 60_000], ['hours', 3_600_000], ['days', 86_400_000]), (n, [unit, ms]) => {
        const r = auctionEnd(String(n), unit, now)
        expect(r).toEqual({ ok: true, endsAt: new Date(now.getTime() + n * (ms as number)).toISOString() })
      }),
    )
  })
})
