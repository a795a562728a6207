import { describe, expect, it } from 'vitest'
import { endAuction, placeBid } from '../../../src/listings/auction'
import { createListing, updateListing, withdrawListing, type CreateListing } from '../../../src/listings/listing-lifecycle'
import type { ListingState } from '../../../src/listings/listing-state'
import { makeOffer } from '../../../src/listings/offers'
import { commit, reserve } from '../../../src/listings/stock'
import { accepted, at, bid, DAY, eur, HOUR, iso, LISTING_ID, MINUTE, openAuction, openFixed, refused, RULES, SELLER, T0, types, usd } from './fixtures'

const fixedCmd = (over: Partial<CreateListing> = {}): CreateListing => ({
  id: LISTING_ID,
  sellerId: SELLER,
  title: 'Hand-thrown mug',
  description: 'Stoneware',
  category: 'kitchen',
  format: 'fixed_price',
  currency: 'USD',
  acceptsOffers: true,
  fixed: { price: 5_000, quantity: 3 },
  ...over,
})

const auctionCmd = (terms: Partial<NonNullable<CreateListing['auction']>> = {}, over: Partial<CreateListing> = {}): CreateListing => ({
  id: LISTING_ID,
  sellerId: SELLER,
  title: 'Brass lamp',
  description: 'A working 1920s brass lamp',
  category: 'home',
  format: 'auction',
  currency: 'USD',
  acceptsOffers: false,
  auction: { startingBid: 1_000, reservePrice: null, buyNowPrice: null, endsAt: iso(DAY), ...terms },
  ...over,
})

const invalid = (cmd: CreateListing) => refused(createListing(cmd, T0, RULES))

describe('createListing', () => {
  it('creates a fixed-price listing with its price and quantity, nothing sold or held', () => {
    const d = accepted(createListing(fixedCmd(), T0, RULES))
    expect(d.state).toEqual({
      id: LISTING_ID,
      sellerId: SELLER,
      title: 'Hand-thrown mug',
      description: 'Stoneware',
      category: 'kitchen',
      format: 'fixed_price',
      currency: 'USD',
      price: 5_000,
      quantity: 3,
      sold: 0,
      reservations: [],
      auction: null,
      acceptsOffers: true,
      offers: [],
      withdrawn: false,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      version: 0,
    })
    expect(d.events).toEqual([{ type: 'listing.created', data: {}, private: {} }])
  })

  it('creates an auction of one item priced at its starting bid, with no bids and no offers', () => {
    const d = accepted(createListing(auctionCmd({ reservePrice: 4_000, buyNowPrice: 9_000 }), T0, RULES))
    expect(d.state).toMatchObject({ format: 'auction', price: null, quantity: 1, acceptsOffers: false })
    expect(d.state.auction).toEqual({
      startingBid: 1_000,
      reservePrice: 4_000,
      buyNowPrice: 9_000,
      endsAt: iso(DAY),
      currentPrice: 1_000,
      bidCount: 0,
      leader: null,
      runnerUp: null,
      bidOrder: 0,
      outcome: null,
    })
  })

  it('normalizes the end to an ISO instant in UTC', () => {
    const d = accepted(createListing(auctionCmd({ endsAt: '2030-03-02T14:00:00+02:00' }), T0, RULES))
    expect(d.state.auction?.endsAt).toBe('2030-03-02T12:00:00.000Z')
  })

  it('refuses a format without its own terms, or with the other format’s', () => {
    const { fixed: _f, ...noFixed } = fixedCmd()
    const { auction: _a, ...noAuction } = auctionCmd()
    expect(invalid(noFixed)).toMatchObject({ code: 'invalid_listing' })
    expect(invalid(fixedCmd({ auction: auctionCmd().auction }))).toMatchObject({ code: 'invalid_listing' })
    expect(invalid(noAuction)).toMatchObject({ code: 'invalid_listing' })
    expect(invalid(auctionCmd({}, { fixed: { price: 5_000, quantity: 1 } }))).toMatchObject({ code: 'invalid_listing' })
  })

  it('refuses an auction that takes offers', () => {
    expect(invalid(auctionCmd({}, { acceptsOffers: true }))).toEqual({ code: 'invalid_listing', reason: 'auctions do not take offers' })
  })

  it('takes a reserve equal to the starting bid, not one below it', () => {
    expect(invalid(auctionCmd({ startingBid: 1_000, reservePrice: 999 }))).toMatchObject({ code: 'invalid_listing' })
    expect(accepted(createListing(auctionCmd({ startingBid: 1_000, reservePrice: 1_000 }), T0, RULES)).state.auction?.reservePrice).toBe(1_000)
  })

  it('wants Buy It Now above the starting bid and not below the reserve', () => {
    expect(invalid(auctionCmd({ startingBid: 1_000, buyNowPrice: 1_000 }))).toMatchObject({ code: 'invalid_listing' })
    expect(accepted(createListing(auctionCmd({ startingBid: 1_000, buyNowPrice: 1_001 }), T0, RULES)).state.auction?.buyNowPrice).toBe(1_001)
    expect(invalid(auctionCmd({ startingBid: 1_000, reservePrice: 5_000, buyNowPrice: 4_999 }))).toMatchObject({ code: 'invalid_listing' })
    expect(accepted(createListing(auctionCmd({ startingBid: 1_000, reservePrice: 5_000, buyNowPrice: 5_000 }), T0, RULES)).state.auction?.buyNowPrice).toBe(5_000)
  })

  it('wants the auction to last between minAuctionMs and maxAuctionMs, boundaries included', () => {
    expect(invalid(auctionCmd({ endsAt: iso(RULES.minAuctionMs - 1) }))).toEqual({ code: 'ends_too_soon', earliest: iso(RULES.minAuctionMs) })
    expect(accepted(createListing(auctionCmd({ endsAt: iso(RULES.minAuctionMs) }), T0, RULES)).state.auction?.endsAt).toBe(iso(RULES.minAuctionMs))
    expect(accepted(createListing(auctionCmd({ endsAt: iso(RULES.maxAuctionMs) }), T0, RULES)).state.auction?.endsAt).toBe(iso(RULES.maxAuctionMs))
    expect(invalid(auctionCmd({ endsAt: iso(RULES.maxAuctionMs + 1) }))).toEqual({ code: 'ends_too_late', latest: iso(RULES.maxAuctionMs) })
    expect(invalid(auctionCmd({ endsAt: iso(-HOUR) }))).toMatchObject({ code: 'ends_too_soon' })
  })
})

describe('updateListing', () => {
  const edit = (s: ListingState, over: Partial<Parameters<typeof updateListing>[1]> = {}, now = at(MINUTE)) =>
    updateListing(s, { actorId: SELLER, expectedVersion: s.version, ...over }, now)

  it('edits what changed, names only that, and stamps the time', () => {
    const s = openFixed({ price: 5_000, quantity: 2 })
    const d = accepted(edit(s, { title: 'Hand-thrown mug, blue', price: usd(4_500), quantity: 2 }))
    expect(d.state).toMatchObject({ title: 'Hand-thrown mug, blue', price: 4_500, quantity: 2, description: s.description, updatedAt: iso(MINUTE) })
    expect(d.events).toEqual([{ type: 'listing.updated', data: { changed: ['title', 'price'] }, private: {} }])
  })

  it('says nothing and changes nothing when nothing changes', () => {
    const s = openFixed({ price: 5_000, quantity: 2 })
    const d = accepted(edit(s, { title: s.title, description: s.description, price: usd(5_000), quantity: 2 }))
    expect(d.events).toEqual([])
    expect(d.state).toBe(s)
    expect(accepted(edit(s)).events).toEqual([])
  })

  it('lets only the seller edit', () => {
    expect(refused(edit(openFixed(), { actorId: 'usr_b1', title: 'Mine now' }))).toEqual({ code: 'not_seller' })
  })

  it('refuses a stale version, naming the current one, and skips the check for If-Match: *', () => {
    const s = { ...openFixed(), version: 4 }
    expect(refused(edit(s, { expectedVersion: 3, title: 'New' }))).toEqual({ code: 'version_conflict', version: 4 })
    expect(accepted(edit(s, { expectedVersion: undefined, title: 'New' })).state.title).toBe('New')
  })

  it('refuses to edit a closed listing', () => {
    const withdrawn = accepted(withdrawListing(openFixed(), SELLER, at(0))).state
    expect(refused(edit(withdrawn, { title: 'Back' }))).toEqual({ code: 'listing_closed' })
    const ended = endAuction(openAuction({}, HOUR), at(HOUR), RULES).state
    expect(refused(edit(ended, { title: 'Again' }, at(2 * HOUR)))).toEqual({ code: 'listing_closed' })
    const soldOut = accepted(commit(accepted(reserve(openFixed(), { reservationId: 'ord_1', holderId: 'usr_b1', quantity: 1, ttlMs: HOUR }, at(0), undefined)).state, 'ord_1', at(0), undefined)).state
    expect(refused(edit(soldOut, { title: 'More' }))).toEqual({ code: 'listing_closed' })
  })

  it('lets an auction’s words change but never its price or quantity', () => {
    const s = openAuction()
    expect(refused(edit(s, { price: usd(500) }))).toEqual({ code: 'not_editable', field: 'price' })
    expect(refused(edit(s, { quantity: 2 }))).toEqual({ code: 'not_editable', field: 'quantity' })
    expect(accepted(edit(s, { description: 'Rewired in 2020' })).events).toEqual([{ type: 'listing.updated', data: { changed: ['description'] }, private: {} }])
  })

  it('refuses a price in another currency', () => {
    expect(refused(edit(openFixed(), { price: eur(4_000) }))).toEqual({ code: 'currency_mismatch' })
  })

  it('never puts the quantity under what is sold and held, nor under one', () => {
    let s = openFixed({ quantity: 5 })
    s = accepted(reserve(s, { reservationId: 'ord_1', holderId: 'usr_b1', quantity: 2, ttlMs: HOUR }, at(0), undefined)).state
    s = accepted(commit(s, 'ord_1', at(0), undefined)).state
    s = accepted(reserve(s, { reservationId: 'ord_2', holderId: 'usr_b2', quantity: 1, ttlMs: HOUR }, at(0), undefined)).state // sold 2, held 1
    expect(refused(edit(s, { quantity: 2 }))).toEqual({ code: 'quantity_below_committed', minimum: 3 })
    expect(accepted(edit(s, { quantity: 3 })).state.quantity).toBe(3)
    expect(refused(edit(openFixed({ quantity: 5 }), { quantity: 0 }))).toEqual({ code: 'quantity_below_committed', minimum: 1 })
  })
})

describe('withdrawListing', () => {
  it('takes the listing down and declines its pending offers', () => {
    let s = openFixed({ quantity: 2 })
    s = accepted(makeOffer(s, { offerId: 'ofr_1', buyerId: 'usr_b1', unitAmount: usd(4_000), quantity: 1 }, at(0), RULES)).state
    const d = accepted(withdrawListing(s, SELLER, at(MINUTE)))
    expect(d.state).toMatchObject({ withdrawn: true, updatedAt: iso(MINUTE) })
    expect(d.state.offers.map((o) => o.status)).toEqual(['declined'])
    expect(d.events).toEqual([
      { type: 'offer.declined', data: { offerId: 'ofr_1', reason: 'withdrawn' }, private: { buyerId: 'usr_b1', offer: expect.objectContaining({ id: 'ofr_1', status: 'declined' }) } },
      { type: 'listing.withdrawn', data: {}, private: {} },
    ])
  })

  it('is idempotent: withdrawing again says nothing', () => {
    const once = accepted(withdrawListing(openFixed(), SELLER, at(0))).state
    const twice = accepted(withdrawListing(once, SELLER, at(MINUTE)))
    expect(twice.events).toEqual([])
    expect(twice.state).toBe(once)
  })

  it('lets only the seller withdraw', () => {
    expect(refused(withdrawListing(openFixed(), 'usr_b1', at(0)))).toEqual({ code: 'not_seller' })
  })

  it('refuses while stock is held for a buyer', () => {
    const s = accepted(reserve(openFixed({ quantity: 3 }), { reservationId: 'ord_1', holderId: 'usr_b1', quantity: 1, ttlMs: HOUR }, at(0), undefined)).state
    expect(refused(withdrawListing(s, SELLER, at(MINUTE)))).toEqual({ code: 'listing_reserved' })
  })

  it('refuses an auction once it has bids, and one that is over', () => {
    const bidOn = accepted(placeBid(openAuction(), bid('usr_a', 1_000), at(MINUTE), RULES)).state
    expect(refused(withdrawListing(bidOn, SELLER, at(2 * MINUTE)))).toEqual({ code: 'has_bids' })
    const ended = endAuction(openAuction({}, HOUR), at(HOUR), RULES).state
    expect(refused(withdrawListing(ended, SELLER, at(HOUR)))).toEqual({ code: 'listing_closed' })
    expect(types(accepted(withdrawListing(openAuction(), SELLER, at(MINUTE))).events)).toEqual(['listing.withdrawn'])
  })
})

describe('offers that a change makes moot', () => {
  const offer = (s: ListingState, offerId: string, buyerId: string, amount: number) =>
    accepted(makeOffer(s, { offerId, buyerId, unitAmount: usd(amount), quantity: 1 }, at(MINUTE), RULES)).state

  it('declines buyers’ offers at or above a lowered price, and keeps those below it', () => {
    let s = openFixed({ quantity: 2, price: 5000, acceptsOffers: true })
    s = offer(s, 'ofr_high', 'usr_b1', 4500)
    s = offer(s, 'ofr_low', 'usr_b2', 3000)
    const d = accepted(updateListing(s, { actorId: SELLER, expectedVersion: s.version, price: usd(4000) }, at(2 * MINUTE)))
    expect(types(d.events)).toEqual(['listing.updated', 'offer.declined'])
    expect(d.events[1]?.data).toEqual({ offerId: 'ofr_high', reason: 'price_lowered' })
    expect(d.state.offers.map((o) => [o.id, o.status])).toEqual([
      ['ofr_high', 'declined'],
      ['ofr_low', 'pending'],
    ])
  })

  it('declines every pending offer when the last unit is sold', () => {
    let s = openFixed({ quantity: 1, price: 5000, acceptsOffers: true })
    s = offer(s, 'ofr_a', 'usr_b1', 4000)
    s = accepted(reserve(s, { reservationId: 'ord_1', holderId: 'usr_b9', quantity: 1, ttlMs: 15 * MINUTE }, at(2 * MINUTE))).state
    const d = accepted(commit(s, 'ord_1', at(3 * MINUTE)))
    expect(types(d.events)).toEqual(['stock.committed', 'listing.sold_out', 'offer.declined'])
    expect(d.events[2]?.data).toEqual({ offerId: 'ofr_a', reason: 'stock_taken' })
  })
})
