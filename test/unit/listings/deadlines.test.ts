import { describe, expect, it } from 'vitest'
import { placeBid } from '../../../src/listings/auction'
import { nextDeadline, runDeadlines } from '../../../src/listings/deadlines'
import { withdrawListing } from '../../../src/listings/listing-lifecycle'
import type { ListingState } from '../../../src/listings/listing-state'
import { makeOffer, respondToOffer } from '../../../src/listings/offers'
import { claim, commit, dueOrderReservations, release, reserve } from '../../../src/listings/stock'
import { accepted, at, bid, HOUR, MINUTE, openAuction, openFixed, RULES, SELLER, types, usd } from './fixtures'

/**
 * Three units, at T0: a pending offer `ofr_1` (expires T0 + 48 h), an accepted offer `ofr_2` whose
 * unbound hold lapses at T0 + 24 h, and an order-bound checkout hold `ord_1` for 30 minutes.
 */
function busyFixed(): ListingState {
  let s = openFixed({ quantity: 3 })
  s = accepted(makeOffer(s, { offerId: 'ofr_1', buyerId: 'usr_b1', unitAmount: usd(4_000), quantity: 1 }, at(0), RULES)).state
  s = accepted(makeOffer(s, { offerId: 'ofr_2', buyerId: 'usr_b3', unitAmount: usd(4_500), quantity: 1 }, at(0), RULES)).state
  s = accepted(reserve(s, { reservationId: 'ord_1', holderId: 'usr_b2', quantity: 1, ttlMs: 30 * MINUTE }, at(0), undefined)).state
  return accepted(respondToOffer(s, 'ofr_2', SELLER, { kind: 'accept' }, at(0), RULES)).state
}

/** What the object does once the order of a lapsed checkout hold turned out unpaid. */
const releaseUnpaid = (s: ListingState, id: string, now: Date) => accepted(release(s, id, 'expired', now, undefined)).state

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
    // The lapsed checkout hold is still owed an alarm until the object has asked its order's fate.
    const lapsed = runDeadlines(busyFixed(), at(30 * MINUTE), RULES).state
    expect(nextDeadline(lapsed)).toBe(at(30 * MINUTE).getTime())
    const settled = releaseUnpaid(lapsed, 'ord_1', at(30 * MINUTE))
    expect(nextDeadline(settled)).toBe(at(24 * HOUR).getTime())
    const released = runDeadlines(settled, at(24 * HOUR), RULES).state
    expect(nextDeadline(released)).toBe(at(48 * HOUR).getTime())
  })

  it('forgets offers that are no longer pending, and auctions that are over or withdrawn', () => {
    const declined = accepted(respondToOffer(busyFixed(), 'ofr_1', SELLER, { kind: 'decline' }, at(MINUTE), RULES)).state
    const paid = accepted(commit(declined, 'ord_1', at(2 * MINUTE), undefined)).state
    expect(nextDeadline(runDeadlines(paid, at(24 * HOUR), RULES).state)).toBeNull()
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

  it('leaves a lapsed order-bound checkout hold alone: the object asks its order first', () => {
    const s = busyFixed()
    const d = runDeadlines(s, at(30 * MINUTE), RULES)
    expect(d.events).toEqual([])
    expect(d.settlements).toEqual([])
    expect(d.state).toBe(s)
    expect(dueOrderReservations(d.state, at(30 * MINUTE)).map((r) => r.id)).toEqual(['ord_1'])
  })

  it('runs only what is due', () => {
    const d = runDeadlines(busyFixed(), at(24 * HOUR), RULES)
    expect(d.events).toEqual([
      { type: 'stock.released', data: { quantity: 1, available: 2, reason: 'expired' }, private: { reservationId: 'ofr_2', holderId: 'usr_b3' } },
    ])
    expect(d.settlements).toEqual([{ reservationId: 'ofr_2', outcome: 'released' }])
    expect(d.state.offers.map((o) => o.status)).toEqual(['pending', 'accepted'])
    expect(d.state.reservations.map((r) => r.id)).toEqual(['ord_1'])
  })

  it('runs everything due in one decision: unbound holds lapse, offers expire; order-bound holds stay', () => {
    const d = runDeadlines(busyFixed(), at(48 * HOUR), RULES)
    expect(types(d.events)).toEqual(['stock.released', 'offer.expired'])
    expect(d.state.reservations.map((r) => [r.id, r.orderBound])).toEqual([['ord_1', true]])
    expect(d.state.offers.map((o) => o.status)).toEqual(['expired', 'accepted'])
    expect(d.settlements).toEqual([{ reservationId: 'ofr_2', outcome: 'released' }])
    expect(dueOrderReservations(d.state, at(48 * HOUR)).map((r) => r.id)).toEqual(['ord_1'])
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

  it('leaves a won auction’s hold to its order once claimed: it no longer simply lapses', () => {
    const s = accepted(placeBid(openAuction({}, HOUR), bid('usr_a', 2_000), at(MINUTE), RULES)).state
    const won = runDeadlines(s, at(HOUR), RULES).state
    const claimed = accepted(claim(won, s.id, 'ord_w', at(HOUR + MINUTE))).state
    const due = at(HOUR + RULES.auctionPaymentMs)
    expect(nextDeadline(claimed)).toBe(due.getTime())
    const later = runDeadlines(claimed, due, RULES)
    expect(later.events).toEqual([])
    expect(later.state.reservations.map((r) => [r.id, r.holderId, r.orderBound])).toEqual([['ord_w', 'usr_a', true]])
    expect(dueOrderReservations(later.state, due).map((r) => r.id)).toEqual(['ord_w'])
  })
})
