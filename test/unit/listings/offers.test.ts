import { describe, expect, it } from 'vitest'
import type { ListingState, Offer } from '../../../src/listings/listing-state'
import { closeOffers, expireOffers, makeOffer, respondToOffer, type MakeOffer } from '../../../src/listings/offers'
import { commit, reserve } from '../../../src/listings/stock'
import { accepted, at, eur, HOUR, iso, MINUTE, openAuction, openFixed, refused, RULES, SELLER, types, usd } from './fixtures'

const B1 = 'usr_b1'
const B2 = 'usr_b2'
const B3 = 'usr_b3'

const offer = (offerId: string, buyerId: string, amount: number, quantity = 1): MakeOffer => ({ offerId, buyerId, unitAmount: usd(amount), quantity })

/** Offers made in order at T0 + 1 minute on the listing (one $50.00 unit with offers by default). */
function withOffers(s: ListingState, ...offers: MakeOffer[]): ListingState {
  return offers.reduce((state, o) => accepted(makeOffer(state, o, at(MINUTE), RULES)).state, s)
}

/** The offer an offer event carries (the property test checks every field against the state). */
const carried = (id: string, status: Offer['status']): unknown => expect.objectContaining({ id, status, sellerId: SELLER })

const statusOf = (s: ListingState): Record<string, Offer['status']> => Object.fromEntries(s.offers.map((o) => [o.id, o.status]))

describe('makeOffer', () => {
  it('opens a pending offer for 48 hours and tells the seller privately what it is', () => {
    const d = accepted(makeOffer(openFixed(), offer('ofr_1', B1, 4_000), at(MINUTE), RULES))
    expect(d.state.offers).toEqual([
      { id: 'ofr_1', buyerId: B1, from: 'buyer', unitAmount: 4_000, quantity: 1, status: 'pending', createdAt: iso(MINUTE), expiresAt: iso(MINUTE + 48 * HOUR), counters: null },
    ])
    expect(d.events).toEqual([
      { type: 'offer.created', data: { offerId: 'ofr_1', from: 'buyer', expiresAt: iso(MINUTE + 48 * HOUR) }, private: { buyerId: B1, unitAmount: usd(4_000), quantity: 1, counters: null, offer: carried('ofr_1', 'pending') } },
    ])
  })

  it('takes offers only on fixed-price listings that accept them', () => {
    expect(refused(makeOffer(openFixed({ acceptsOffers: false }), offer('ofr_1', B1, 4_000), at(MINUTE), RULES))).toEqual({ code: 'offers_not_accepted' })
    expect(refused(makeOffer(openAuction(), offer('ofr_1', B1, 4_000), at(MINUTE), RULES))).toEqual({ code: 'offers_not_accepted' })
  })

  it('refuses the seller, another currency, and an amount above the asking price (the asking price itself is fine)', () => {
    const s = openFixed({ price: 5_000 })
    expect(refused(makeOffer(s, offer('ofr_1', SELLER, 4_000), at(MINUTE), RULES))).toEqual({ code: 'own_listing' })
    expect(refused(makeOffer(s, { ...offer('ofr_1', B1, 4_000), unitAmount: eur(4_000) }, at(MINUTE), RULES))).toEqual({ code: 'currency_mismatch' })
    expect(refused(makeOffer(s, offer('ofr_1', B1, 5_001), at(MINUTE), RULES))).toEqual({ code: 'offer_above_price' })
    expect(accepted(makeOffer(s, offer('ofr_1', B1, 5_000), at(MINUTE), RULES)).state.offers[0]).toMatchObject({ unitAmount: 5_000, status: 'pending' })
  })

  it('refuses more units than are available, and a closed listing', () => {
    const s = openFixed({ quantity: 2 })
    expect(refused(makeOffer(s, offer('ofr_1', B1, 4_000, 3), at(MINUTE), RULES))).toEqual({ code: 'sold_out', available: 2 })
    const sold = accepted(commit(accepted(reserve(openFixed(), { reservationId: 'ord_1', holderId: B2, quantity: 1, ttlMs: HOUR }, at(0), undefined)).state, 'ord_1', at(0), undefined)).state
    expect(refused(makeOffer(sold, offer('ofr_1', B1, 4_000), at(MINUTE), RULES))).toEqual({ code: 'listing_closed' })
  })

  it('supersedes the same buyer’s pending offer, and only theirs', () => {
    const s = withOffers(openFixed(), offer('ofr_1', B1, 3_000), offer('ofr_2', B2, 3_500))
    const d = accepted(makeOffer(s, offer('ofr_3', B1, 3_800), at(2 * MINUTE), RULES))
    expect(statusOf(d.state)).toEqual({ ofr_1: 'superseded', ofr_2: 'pending', ofr_3: 'pending' })
    expect(d.events.map((e) => [e.type, e.data])).toEqual([
      ['offer.declined', { offerId: 'ofr_1', reason: 'superseded' }],
      ['offer.created', { offerId: 'ofr_3', from: 'buyer', expiresAt: iso(2 * MINUTE + 48 * HOUR) }],
    ])
  })
})

describe('respondToOffer: who answers', () => {
  const s = () => withOffers(openFixed(), offer('ofr_1', B1, 4_000))

  it('lets only the party who did not make the offer answer it', () => {
    expect(refused(respondToOffer(s(), 'ofr_1', B1, { kind: 'accept' }, at(2 * MINUTE), RULES))).toEqual({ code: 'not_your_turn' })
    expect(refused(respondToOffer(s(), 'ofr_1', B2, { kind: 'accept' }, at(2 * MINUTE), RULES))).toEqual({ code: 'offer_not_found' })
    expect(refused(respondToOffer(s(), 'ofr_nope', SELLER, { kind: 'accept' }, at(2 * MINUTE), RULES))).toEqual({ code: 'offer_not_found' })
  })

  it('turns the tables on a counter: the buyer answers it, the seller may not', () => {
    const countered = accepted(respondToOffer(s(), 'ofr_1', SELLER, { kind: 'counter', counterId: 'ofr_c', unitAmount: usd(4_500) }, at(2 * MINUTE), RULES)).state
    expect(refused(respondToOffer(countered, 'ofr_c', SELLER, { kind: 'accept' }, at(3 * MINUTE), RULES))).toEqual({ code: 'not_your_turn' })
    expect(refused(respondToOffer(countered, 'ofr_c', B2, { kind: 'accept' }, at(3 * MINUTE), RULES))).toEqual({ code: 'offer_not_found' })
    const d = accepted(respondToOffer(countered, 'ofr_c', B1, { kind: 'accept' }, at(3 * MINUTE), RULES))
    expect(d.state.reservations).toEqual([{ id: 'ofr_c', holderId: B1, quantity: 1, unitPrice: 4_500, expiresAt: iso(3 * MINUTE + 24 * HOUR), source: 'offer', orderBound: false }])
  })

  it('answers an offer once: a second answer finds it no longer pending', () => {
    const declined = accepted(respondToOffer(s(), 'ofr_1', SELLER, { kind: 'decline' }, at(2 * MINUTE), RULES)).state
    expect(refused(respondToOffer(declined, 'ofr_1', SELLER, { kind: 'accept' }, at(3 * MINUTE), RULES))).toEqual({ code: 'offer_not_pending' })
  })

  it('refuses an answer from the moment the offer expires', () => {
    const expiresAt = MINUTE + 48 * HOUR
    expect(statusOf(accepted(respondToOffer(s(), 'ofr_1', SELLER, { kind: 'decline' }, at(expiresAt - 1), RULES)).state)).toEqual({ ofr_1: 'declined' })
    expect(refused(respondToOffer(s(), 'ofr_1', SELLER, { kind: 'accept' }, at(expiresAt), RULES))).toEqual({ code: 'offer_not_pending' })
  })
})

describe('respondToOffer: decline, counter, accept', () => {
  it('declines', () => {
    const d = accepted(respondToOffer(withOffers(openFixed(), offer('ofr_1', B1, 4_000)), 'ofr_1', SELLER, { kind: 'decline' }, at(2 * MINUTE), RULES))
    expect(statusOf(d.state)).toEqual({ ofr_1: 'declined' })
    expect(d.events).toEqual([{ type: 'offer.declined', data: { offerId: 'ofr_1', reason: 'declined' }, private: { buyerId: B1, offer: carried('ofr_1', 'declined') } }])
    expect(d.state.reservations).toEqual([])
  })

  it('counters: the answered offer is countered and a new one from the other side, for the same quantity, is pending', () => {
    const s = withOffers(openFixed({ quantity: 3 }), offer('ofr_1', B1, 4_000, 2))
    const d = accepted(respondToOffer(s, 'ofr_1', SELLER, { kind: 'counter', counterId: 'ofr_2', unitAmount: usd(4_600) }, at(2 * MINUTE), RULES))
    expect(d.state.offers[1]).toEqual({
      id: 'ofr_2',
      buyerId: B1,
      from: 'seller',
      unitAmount: 4_600,
      quantity: 2,
      status: 'pending',
      createdAt: iso(2 * MINUTE),
      expiresAt: iso(2 * MINUTE + 48 * HOUR),
      counters: 'ofr_1',
    })
    expect(statusOf(d.state)).toEqual({ ofr_1: 'countered', ofr_2: 'pending' })
    expect(d.events.map((e) => [e.type, e.data])).toEqual([
      ['offer.declined', { offerId: 'ofr_1', reason: 'countered' }],
      ['offer.created', { offerId: 'ofr_2', from: 'seller', expiresAt: iso(2 * MINUTE + 48 * HOUR) }],
    ])
  })

  it('refuses a counter above the asking price or in another currency, leaving the offer pending', () => {
    const s = withOffers(openFixed({ price: 5_000 }), offer('ofr_1', B1, 4_000))
    expect(refused(respondToOffer(s, 'ofr_1', SELLER, { kind: 'counter', counterId: 'ofr_2', unitAmount: usd(5_001) }, at(2 * MINUTE), RULES))).toEqual({ code: 'offer_above_price' })
    expect(refused(respondToOffer(s, 'ofr_1', SELLER, { kind: 'counter', counterId: 'ofr_2', unitAmount: eur(4_500) }, at(2 * MINUTE), RULES))).toEqual({ code: 'currency_mismatch' })
  })

  it('accepts: reserves the stock under the offer id for the checkout window and declines every other pending offer on a one-unit listing', () => {
    const s = withOffers(openFixed(), offer('ofr_1', B1, 4_000), offer('ofr_2', B2, 3_000), offer('ofr_3', B3, 2_000))
    const countered = accepted(respondToOffer(s, 'ofr_3', SELLER, { kind: 'counter', counterId: 'ofr_4', unitAmount: usd(4_200) }, at(2 * MINUTE), RULES)).state
    const d = accepted(respondToOffer(countered, 'ofr_1', SELLER, { kind: 'accept' }, at(3 * MINUTE), RULES))
    expect(d.state.reservations).toEqual([{ id: 'ofr_1', holderId: B1, quantity: 1, unitPrice: 4_000, expiresAt: iso(3 * MINUTE + 24 * HOUR), source: 'offer', orderBound: false }])
    expect(statusOf(d.state)).toEqual({ ofr_1: 'accepted', ofr_2: 'declined', ofr_3: 'countered', ofr_4: 'declined' })
    expect(types(d.events)).toEqual(['offer.accepted', 'stock.reserved', 'offer.declined', 'offer.declined'])
    expect(d.events[0]).toEqual({ type: 'offer.accepted', data: { offerId: 'ofr_1' }, private: { buyerId: B1, reservationId: 'ofr_1', unitAmount: usd(4_000), quantity: 1, offer: carried('ofr_1', 'accepted') } })
    expect(d.events.slice(2).map((e) => e.data)).toEqual([
      { offerId: 'ofr_2', reason: 'stock_taken' },
      { offerId: 'ofr_4', reason: 'stock_taken' },
    ])
  })

  it('on a larger stock, declines only the offers the remaining units cannot cover', () => {
    const s = withOffers(openFixed({ quantity: 3 }), offer('ofr_1', B1, 4_000, 2), offer('ofr_2', B2, 4_000, 2), offer('ofr_3', B3, 4_000, 1))
    const d = accepted(respondToOffer(s, 'ofr_1', SELLER, { kind: 'accept' }, at(2 * MINUTE), RULES))
    expect(statusOf(d.state)).toEqual({ ofr_1: 'accepted', ofr_2: 'declined', ofr_3: 'pending' })
  })

  it('refuses to accept when the stock has gone meanwhile', () => {
    const s = withOffers(openFixed(), offer('ofr_1', B1, 4_000))
    const held = accepted(reserve(s, { reservationId: 'ord_1', holderId: B2, quantity: 1, ttlMs: HOUR }, at(2 * MINUTE), undefined)).state
    expect(refused(respondToOffer(held, 'ofr_1', SELLER, { kind: 'accept' }, at(3 * MINUTE), RULES))).toEqual({ code: 'sold_out', available: 0 })
  })
})

describe('expireOffers and closeOffers', () => {
  it('expires pending offers from their expiry on, and nothing else', () => {
    let s = withOffers(openFixed({ quantity: 2 }), offer('ofr_1', B1, 4_000), offer('ofr_2', B2, 4_000))
    s = accepted(respondToOffer(s, 'ofr_2', SELLER, { kind: 'accept' }, at(2 * MINUTE), RULES)).state
    const expiresAt = MINUTE + 48 * HOUR
    expect(expireOffers(s, at(expiresAt - 1)).events).toEqual([])
    const d = expireOffers(s, at(expiresAt))
    expect(statusOf(d.state)).toEqual({ ofr_1: 'expired', ofr_2: 'accepted' })
    expect(d.events).toEqual([{ type: 'offer.expired', data: { offerId: 'ofr_1' }, private: { buyerId: B1, offer: carried('ofr_1', 'expired') } }])
    expect(d.state.updatedAt).toBe(iso(expiresAt))
  })

  it('closeOffers touches only pending offers that match', () => {
    const s = accepted(respondToOffer(withOffers(openFixed(), offer('ofr_1', B1, 4_000), offer('ofr_2', B2, 4_000)), 'ofr_1', SELLER, { kind: 'decline' }, at(2 * MINUTE), RULES)).state
    const d = closeOffers(s, () => true, 'declined', 'withdrawn', at(3 * MINUTE))
    expect(d.events.map((e) => e.data)).toEqual([{ offerId: 'ofr_2', reason: 'withdrawn' }])
    expect(closeOffers(d.state, () => true, 'declined', 'withdrawn', at(4 * MINUTE)).events).toEqual([])
  })
})

describe('bounds on offers', () => {
  it('refuses a new buyer once a listing holds its limit of pending offers, but lets a buyer revise theirs', async () => {
    const { MAX_PENDING_OFFERS } = await import('../../../src/listings/offers')
    let s = openFixed({ quantity: 1, price: 5_000, acceptsOffers: true })
    for (let i = 0; i < MAX_PENDING_OFFERS; i++) s = accepted(makeOffer(s, offer(`ofr_${i}`, `usr_n${i}`, 1_000), at(MINUTE), RULES)).state
    expect(refused(makeOffer(s, offer('ofr_more', 'usr_new', 1_000), at(MINUTE), RULES))).toEqual({ code: 'offer_limit' })
    expect(accepted(makeOffer(s, offer('ofr_rev', 'usr_n0', 1_200), at(MINUTE), RULES)).events.map((e) => e.type)).toEqual(['offer.declined', 'offer.created'])
  })

  it('tells the offers still in play from those that are over', async () => {
    const { settledOffers } = await import('../../../src/listings/offers')
    let s = withOffers(openFixed({ quantity: 2, price: 5_000, acceptsOffers: true }), offer('ofr_a', B1, 4_000), offer('ofr_b', B2, 3_000), offer('ofr_c', B3, 2_000))
    s = accepted(respondToOffer(s, 'ofr_a', SELLER, { kind: 'accept' }, at(MINUTE), RULES)).state
    s = accepted(respondToOffer(s, 'ofr_b', SELLER, { kind: 'decline' }, at(MINUTE), RULES)).state
    const { live, over } = settledOffers(s)
    expect(live.map((o) => o.id).sort()).toEqual(['ofr_a', 'ofr_c'])
    expect(over.map((o) => o.id)).toEqual(['ofr_b'])
    const committed = accepted(commit(s, 'ofr_a', at(2 * MINUTE)))
    expect(settledOffers(committed.state).over.map((o) => o.id).sort()).toEqual(['ofr_a', 'ofr_b'])
  })
})
