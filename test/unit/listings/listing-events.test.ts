import { describe, expect, it } from 'vitest'
import { endAuction, placeBid } from '../../../src/listings/auction'
import { ListingEventSchema, listingEventTypes, type ListingEvent } from '../../../src/events/contract/listing-events'
import { createListing, updateListing, withdrawListing } from '../../../src/listings/listing-lifecycle'
import { addImage, removeImage } from '../../../src/listings/listing-images'
import { expireOffers, makeOffer, respondToOffer } from '../../../src/listings/offers'
import { applySellerStanding } from '../../../src/listings/seller-standing'
import { commit, release, reserve, restock } from '../../../src/listings/stock'
import { accepted, at, bid, DAY, MINUTE, openAuction, openFixed, RULES, SELLER, usd } from './fixtures'

/** Drives the core through every kind of event and collects them. */
function everyKindOfEvent(): ListingEvent[] {
  const events: ListingEvent[] = []
  const keep = <T extends { events: ListingEvent[] }>(d: T): T => {
    events.push(...d.events)
    return d
  }
  let auction = openAuction({ startingBid: 1_000, reservePrice: 2_000, buyNowPrice: 9_000 }, 10 * MINUTE)
  auction = keep(accepted(reserve(auction, { reservationId: 'ord_bin', holderId: 'usr_x', quantity: 1, ttlMs: 15 * MINUTE }, at(MINUTE)))).state
  auction = keep(accepted(release(auction, 'ord_bin', 'released', at(2 * MINUTE)))).state
  auction = keep(accepted(placeBid(auction, bid('usr_a', 1_500), at(9 * MINUTE), RULES))).state
  auction = keep(accepted(placeBid(auction, bid('usr_b', 3_000), at(9 * MINUTE), RULES))).state
  keep(endAuction(auction, at(DAY), RULES))

  let fixed = openFixed({ quantity: 2, price: 5_000, acceptsOffers: true })
  fixed = keep(accepted(updateListing(fixed, { actorId: SELLER, expectedVersion: undefined, title: 'Mugs' }, at(MINUTE)))).state
  fixed = keep(accepted(makeOffer(fixed, { offerId: 'ofr_1', buyerId: 'usr_b', unitAmount: usd(4_000), quantity: 1 }, at(MINUTE), RULES))).state
  fixed = keep(accepted(respondToOffer(fixed, 'ofr_1', SELLER, { kind: 'counter', counterId: 'ofr_2', unitAmount: usd(4_500) }, at(MINUTE), RULES))).state
  fixed = keep(accepted(respondToOffer(fixed, 'ofr_2', 'usr_b', { kind: 'accept' }, at(MINUTE), RULES))).state
  fixed = keep(accepted(makeOffer(fixed, { offerId: 'ofr_3', buyerId: 'usr_c', unitAmount: usd(4_000), quantity: 1 }, at(MINUTE), RULES))).state
  fixed = keep(accepted(reserve(fixed, { reservationId: 'ord_1', holderId: 'usr_d', quantity: 1, ttlMs: 15 * MINUTE }, at(MINUTE)))).state
  fixed = keep(accepted(commit(fixed, 'ord_1', at(2 * MINUTE)))).state
  // The accepted counter's buyer checks out: the order claims the offer's hold, pays, then is cancelled.
  fixed = keep(accepted(reserve(fixed, { reservationId: 'ord_2', holderId: 'usr_b', quantity: 1, ttlMs: 15 * MINUTE, expectedUnitPrice: 4_500 }, at(2 * MINUTE)))).state
  fixed = keep(accepted(commit(fixed, 'ord_2', at(2 * MINUTE)))).state
  keep(accepted(restock(fixed, 'ord_2', 1, at(3 * MINUTE), 'committed')))

  const offered = keep(accepted(makeOffer(openFixed({ acceptsOffers: true }), { offerId: 'ofr_9', buyerId: 'usr_e', unitAmount: usd(100), quantity: 1 }, at(0), RULES))).state
  keep(expireOffers(offered, at(3 * DAY)))
  keep(accepted(withdrawListing(openFixed(), SELLER, at(0))))
  const photo = { id: 'img_1', contentType: 'image/png' as const, bytes: 10, width: 1, height: 1, addedAt: at(0).toISOString() }
  keep(accepted(removeImage(keep(accepted(addImage(openFixed(), SELLER, photo, at(0)))).state, SELLER, 'img_1', at(0))))
  // A frozen seller's auction: suspended, ended without a sale, reinstated.
  let suspended = keep(accepted(applySellerStanding(openAuction(), { frozen: true, seq: 1 }, at(0)))).state
  suspended = keep(endAuction(suspended, at(DAY), RULES)).state
  keep(accepted(applySellerStanding(suspended, { frozen: false, seq: 2 }, at(DAY))))
  keep(accepted(createListing({ id: 'lst_x', sellerId: SELLER, title: 't', description: '', category: 'c', format: 'fixed_price', currency: 'USD', acceptsOffers: false, fixed: { price: 100, quantity: 1 } }, at(0), RULES)))
  return events
}

describe('ListingEventSchema', () => {
  it('parses every event the core produces, of every declared type', () => {
    const events = everyKindOfEvent()
    for (const e of events) expect(() => ListingEventSchema.parse(e), e.type).not.toThrow()
    expect([...new Set(events.map((e) => e.type))].sort()).toEqual([...listingEventTypes].sort())
    expect(listingEventTypes).toEqual(expect.arrayContaining(['stock.claimed', 'stock.restocked']))
  })

  it('refuses an event whose data does not match its type', () => {
    expect(ListingEventSchema.safeParse({ type: 'bid.placed', data: { bidId: 'bid_1' }, private: {} }).success).toBe(false)
    expect(ListingEventSchema.safeParse({ type: 'listing.renamed', data: {}, private: {} }).success).toBe(false)
    expect(ListingEventSchema.safeParse({ type: 'stock.claimed', data: { quantity: 1 }, private: { reservationId: 'ord_1', holderId: 'usr_b' } }).success).toBe(false)
    expect(ListingEventSchema.safeParse({ type: 'stock.restocked', data: { quantity: 1, available: 1 }, private: { reservationId: 'ord_1' } }).success).toBe(false)
  })
})
