import { describe, expect, it } from 'vitest'
import { placeBid } from '../../../src/listings/auction'
import { nextDeadline, runDeadlines } from '../../../src/listings/deadlines'
import { withdrawListing } from '../../../src/listings/listing-lifecycle'
import type { ListingState } from '../../../src/listings/listing-state'
import { makeOffer, respondToOffer } from '../../../src/listings/offers'
import { reserve } from '../../../src/listings/stock'
import { accepted, at, bid, HOUR, MINUTE, openAuction, openFixed, RULES, SELLER, types, usd } from './fixtures'

/** Three units; an offer made at T0 (expires T0 + 48 h) and a checkout hold made at T0 for 30 minutes. */
function busyFixed(): ListingState {
  let s = openFixed({ quantity: 3 })
  s = accepted(makeOffer(s, { offerId: 'ofr_1', buyerId: 'usr_b1', unitAmount: usd(4_000), quantity: 1 }, at(0), RULES)).state
  return accepted(reserve(s, { reservationId: 'ord_1', holderId: 'usr_b2', quantity: 1, ttlMs: 30 * MINUTE }, at(0), undefined)).state
}

describe('nextDeadline', () => {
  it('is null when nothing is waiting', () => {
    expect(nextDeadline(openFixed())).toBeNull()
  })

  it('is the auction’s end, following a soft-close extension', () => {
    const s = openAuction({}, 30 * MINUTE)
    expect(nextDeadline(s)).toBe(at(30 * MINUTE).getTime())
    const extended = accepted(placeBid(s, bid('usr_a', 1_000), at(29 * MINUTE), RULES)).state
    expect(nextDeadline(extended)).toBe(at(31 * MINUTE).getTime())
  })

  it('is the earliest of a pending offer’s expiry and a reservation’s', () => {
    expect(nextDeadline(busyFixed())).toBe(at(30 * MINUTE).getTime())
    const released = runDeadlines(busyFixed(), at(30 * MINUTE), RULES).state
    expect(nextDeadline(released)).toBe(at(48 * HOUR).getTime())
  })

  it('forgets offers that are no longer pending, and auctions that are over or withdrawn', () => {
    const declined = accepted(respondToOffer(busyFixed(), 'ofr_1', SELLER, { kind: 'decline' }, at(MINUTE), RULES)).state
    expect(nextDeadline(runDeadlines(declined, at(30 * MINUTE), RULES).state)).toBeNull()
    expect(nextDeadline(runDeadlines(openAuction({}, HOUR), at(HOUR), RULES).state)).toBeNull()
    expect(nextDeadline(accepted(withdrawListing(openAuction({}, HOUR), SELLER, at(MINUTE))).state)).toBeNull()
  })
})

describe('runDeadlines', () => {
  it('does nothing when nothing is due', () => {
    const s = busyFixed()
    const d = runDeadlines(s, at(30 * MINUTE - 1), RULES)
    expect(d.events).toEqual([])
    expect(d.settlements).toEqual([])
    expect(d.state).toBe(s)
  })

  it('runs only what is due', () => {
    const d = runDeadlines(busyFixed(), at(30 * MINUTE), RULES)
    expect(types(d.events)).toEqual(['stock.released'])
    expect(d.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'released' }])
    expect(d.state.offers.map((o) => o.status)).toEqual(['pending'])
  })

  it('runs everything due in one decision: reservations lapse, offers expire', () => {
    const d = runDeadlines(busyFixed(), at(48 * HOUR), RULES)
    expect(types(d.events)).toEqual(['stock.released', 'offer.expired'])
    expect(d.state.reservations).toEqual([])
    expect(d.state.offers.map((o) => o.status)).toEqual(['expired'])
    expect(d.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'released' }])
  })

  it('ends a due auction, and the winner’s fresh reservation is not released with it', () => {
    const s = accepted(placeBid(openAuction({}, HOUR), bid('usr_a', 2_000), at(MINUTE), RULES)).state
    const d = runDeadlines(s, at(HOUR), RULES)
    expect(types(d.events)).toEqual(['auction.ended', 'auction.won', 'stock.reserved'])
    expect(d.state.reservations.map((r) => r.holderId)).toEqual(['usr_a'])
    expect(nextDeadline(d.state)).toBe(at(HOUR + RULES.auctionPaymentMs).getTime())
    const later = runDeadlines(d.state, at(HOUR + RULES.auctionPaymentMs), RULES)
    expect(types(later.events)).toEqual(['stock.released'])
    expect(later.settlements).toEqual([{ reservationId: s.id, outcome: 'released' }])
  })
})
