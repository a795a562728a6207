import { describe, expect, it } from 'vitest'
import { endAuction, placeBid } from '../../../src/listings/auction'
import { withdrawListing } from '../../../src/listings/listing-lifecycle'
import type { ListingState } from '../../../src/listings/listing-state'
import { bidFloorOf, listingView, offerView } from '../../../src/listings/listing-view'
import { makeOffer, respondToOffer } from '../../../src/listings/offers'
import { commit, reserve } from '../../../src/listings/stock'
import { accepted, at, bid, HOUR, iso, MINUTE, openAuction, openFixed, RULES, SELLER, usd } from './fixtures'

const bids = (s: ListingState, ...list: [string, number][]): ListingState =>
  list.reduce((state, [who, amount]) => accepted(placeBid(state, bid(who, amount), at(MINUTE), RULES)).state, s)

/** Every key anywhere inside `value`. */
const keysIn = (value: unknown): string[] =>
  value !== null && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [k, ...keysIn(v)]) : []

describe('listingView of a fixed-price listing', () => {
  it('shows price, quantity and what is available, and no auction fields', () => {
    const s = accepted(reserve(openFixed({ price: 5_000, quantity: 4 }), { reservationId: 'ord_1', holderId: 'usr_b1', quantity: 1, ttlMs: HOUR }, at(0), undefined)).state
    const v = listingView(s, at(MINUTE))
    expect(v).toEqual({
      id: s.id,
      sellerId: SELLER,
      title: s.title,
      description: s.description,
      category: 'kitchen',
      format: 'fixed_price',
      status: 'active',
      version: 0,
      currency: 'USD',
      price: usd(5_000),
      quantity: 4,
      available: 3,
      acceptsOffers: true,
      images: [],
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    })
  })

  it('reads sold out once every unit is sold, and withdrawn once taken down', () => {
    const held = accepted(reserve(openFixed(), { reservationId: 'ord_1', holderId: 'usr_b1', quantity: 1, ttlMs: HOUR }, at(0), undefined)).state
    expect(listingView(held, at(0)).status).toBe('active')
    expect(listingView(accepted(commit(held, 'ord_1', at(0), undefined)).state, at(0)).status).toBe('sold_out')
    expect(listingView(accepted(withdrawListing(openFixed(), SELLER, at(0))).state, at(0)).status).toBe('withdrawn')
  })
})

describe('listingView of an auction', () => {
  it('never reveals the reserve, a maximum, the leader or who holds the item', () => {
    const s = bids(openAuction({ startingBid: 1_000, reservePrice: 7_777, buyNowPrice: 9_999 }), ['usr_a', 6_543], ['usr_b', 3_210])
    const ended = endAuction(bids(openAuction({ startingBid: 1_000 }), ['usr_a', 6_543], ['usr_b', 3_210]), at(HOUR), RULES).state
    for (const v of [listingView(s, at(2 * MINUTE)), listingView(ended, at(HOUR))]) {
      const text = JSON.stringify(v)
      for (const secret of ['7777', '6543', '3210', 'usr_a', 'usr_b']) expect(text).not.toContain(secret)
      for (const key of keysIn(v)) expect(['reservePrice', 'leader', 'runnerUp', 'maxAmount', 'reservations', 'offers', 'holderId']).not.toContain(key)
    }
  })

  it('shows the price, the count, the end and the next minimum while active', () => {
    const s = bids(openAuction({ startingBid: 1_000 }), ['usr_a', 6_000], ['usr_b', 3_000])
    expect(listingView(s, at(2 * MINUTE))).toMatchObject({ status: 'active', currentPrice: usd(3_100), bidCount: 2, minimumBid: usd(3_200), endsAt: iso(30 * MINUTE) })
    expect(listingView(openAuction({ startingBid: 1_000 }), at(0)).minimumBid).toEqual(usd(1_000))
  })

  it('says whether the reserve is met only when there is one', () => {
    expect(listingView(openAuction(), at(0))).not.toHaveProperty('reserveMet')
    const s = openAuction({ startingBid: 1_000, reservePrice: 5_000 })
    expect(listingView(s, at(0)).reserveMet).toBe(false)
    expect(listingView(bids(s, ['usr_a', 4_999]), at(MINUTE)).reserveMet).toBe(false)
    expect(listingView(bids(s, ['usr_a', 5_000]), at(MINUTE)).reserveMet).toBe(true)
  })

  it('shows Buy It Now only while it can be used', () => {
    const s = openAuction({ startingBid: 1_000, buyNowPrice: 9_000 }, 30 * MINUTE)
    expect(listingView(s, at(0)).buyNowPrice).toEqual(usd(9_000))
    expect(listingView(bids(s, ['usr_a', 1_000]), at(MINUTE))).not.toHaveProperty('buyNowPrice')
    // Time ran out, though no alarm has ended it yet.
    expect(listingView(s, at(30 * MINUTE))).not.toHaveProperty('buyNowPrice')
  })

  it('reads ended from the end on, without a minimum bid, and sold out once the winner pays', () => {
    const s = bids(openAuction({}, 30 * MINUTE), ['usr_a', 2_000])
    const late = listingView(s, at(30 * MINUTE))
    expect(late.status).toBe('ended')
    expect(late).not.toHaveProperty('minimumBid')
    const won = endAuction(s, at(30 * MINUTE), RULES).state
    expect(listingView(won, at(31 * MINUTE)).status).toBe('ended')
    expect(listingView(accepted(commit(won, s.id, at(HOUR), undefined)).state, at(HOUR)).status).toBe('sold_out')
  })
})

describe('bidFloorOf', () => {
  it('is the starting bid before any bid, one cent over the price after, and nothing for a fixed price', () => {
    const s = openAuction({ startingBid: 1_000 })
    expect(bidFloorOf(s)).toEqual(usd(1_000))
    expect(bidFloorOf(bids(s, ['usr_a', 6_000], ['usr_b', 3_000]))).toEqual(usd(3_101))
    expect(bidFloorOf(openFixed())).toBeUndefined()
  })
})

describe('offerView', () => {
  it('shows the offer to its parties, with the reservation only while it is held', () => {
    let s = accepted(makeOffer(openFixed(), { offerId: 'ofr_1', buyerId: 'usr_b1', unitAmount: usd(4_000), quantity: 1 }, at(0), RULES)).state
    const offer = () => s.offers[0]!
    expect(offerView(s, offer())).toEqual({
      id: 'ofr_1',
      listingId: s.id,
      buyerId: 'usr_b1',
      sellerId: SELLER,
      from: 'buyer',
      amount: usd(4_000),
      quantity: 1,
      status: 'pending',
      counters: null,
      createdAt: iso(0),
      expiresAt: iso(48 * HOUR),
    })
    s = accepted(respondToOffer(s, 'ofr_1', SELLER, { kind: 'accept' }, at(MINUTE), RULES)).state
    expect(offerView(s, offer())).toMatchObject({ status: 'accepted', reservation: { id: 'ofr_1', expiresAt: iso(MINUTE + 24 * HOUR) } })
    s = accepted(commit(s, 'ofr_1', at(2 * MINUTE), undefined)).state
    expect(offerView(s, offer())).not.toHaveProperty('reservation')
  })
})
