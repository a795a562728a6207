import { describe, expect, it } from 'vitest'
import { placeBid } from '../../../src/listings/auction'
import { withdrawListing } from '../../../src/listings/listing-lifecycle'
import { availableQuantity, type ListingState } from '../../../src/listings/listing-state'
import { makeOffer, respondToOffer } from '../../../src/listings/offers'
import { commit, dueOrderReservations, expireReservations, release, reserve, type Reserve } from '../../../src/listings/stock'
import { accepted, at, bid, eventsOf, HOUR, iso, MINUTE, openAuction, openFixed, refused, RULES, SELLER, types, usd } from './fixtures'

const TTL = 15 * MINUTE
const hold = (reservationId: string, quantity = 1, holderId = 'usr_buyer'): Reserve => ({ reservationId, holderId, quantity, ttlMs: TTL })

/** A fixed-price listing with `quantity` units and the given reservations made at T0. */
function reserved(quantity: number, ...holds: Reserve[]): ListingState {
  return holds.reduce((s, h) => accepted(reserve(s, h, at(0), undefined)).state, openFixed({ quantity, price: 2_000 }))
}

describe('reserve on a fixed-price listing', () => {
  it('holds units for the buyer until the TTL and says how many are left', () => {
    const d = accepted(reserve(openFixed({ quantity: 5, price: 2_000 }), hold('ord_1', 2), at(MINUTE), undefined))
    expect(d.state.reservations).toEqual([
      { id: 'ord_1', holderId: 'usr_buyer', quantity: 2, unitPrice: 2_000, expiresAt: iso(MINUTE + TTL), source: 'checkout', orderBound: true },
    ])
    expect(availableQuantity(d.state)).toBe(3)
    expect(d.events).toEqual([
      {
        type: 'stock.reserved',
        data: { quantity: 2, available: 3, expiresAt: iso(MINUTE + TTL) },
        private: { reservationId: 'ord_1', holderId: 'usr_buyer', source: 'checkout', unitPrice: usd(2_000) },
      },
    ])
    expect(d.settlements).toEqual([])
  })

  it('refuses more than is available, saying how many are', () => {
    const s = reserved(3, hold('ord_1', 2))
    expect(refused(reserve(s, hold('ord_2', 2), at(0), undefined))).toEqual({ code: 'sold_out', available: 1 })
    expect(accepted(reserve(s, hold('ord_2', 1), at(0), undefined)).state.reservations).toHaveLength(2)
  })

  it('refuses the seller', () => {
    expect(refused(reserve(openFixed(), hold('ord_1', 1, SELLER), at(0), undefined))).toEqual({ code: 'own_listing' })
  })

  it('refuses a sold-out or withdrawn listing', () => {
    const soldOut = accepted(commit(reserved(1, hold('ord_1')), 'ord_1', at(0), undefined)).state
    expect(refused(reserve(soldOut, hold('ord_2'), at(0), undefined))).toEqual({ code: 'sold_out', available: 0 })
    const withdrawn = accepted(withdrawListing(openFixed(), SELLER, at(0))).state
    expect(refused(reserve(withdrawn, hold('ord_2'), at(0), undefined))).toEqual({ code: 'listing_closed' })
  })

  it('answers a repeat of the same reservation with no new event, and a different one under the same id with a conflict', () => {
    const s = reserved(3, hold('ord_1', 1))
    const again = accepted(reserve(s, hold('ord_1', 1), at(MINUTE), undefined))
    expect(again.events).toEqual([])
    expect(again.state.reservations).toHaveLength(1)
    expect(refused(reserve(s, hold('ord_1', 2), at(MINUTE), undefined))).toEqual({ code: 'reservation_conflict' })
    expect(refused(reserve(s, hold('ord_1', 1, 'usr_other'), at(MINUTE), undefined))).toEqual({ code: 'reservation_conflict' })
  })

  it('treats an id the store remembers as committed as done, and one remembered as released as refused', () => {
    const s = openFixed({ quantity: 3 })
    const done = accepted(reserve(s, hold('ord_1'), at(0), 'committed'))
    expect(done.events).toEqual([])
    expect(done.state.reservations).toEqual([])
    expect(refused(reserve(s, hold('ord_1'), at(0), 'released'))).toEqual({ code: 'reservation_released' })
    expect(refused(reserve(s, hold('ord_1'), at(0), 'restocked'))).toEqual({ code: 'reservation_released' })
  })
})

describe('commit', () => {
  it('turns the held units into sold ones and records the settlement', () => {
    const s = reserved(3, hold('ord_1', 2))
    const d = accepted(commit(s, 'ord_1', at(MINUTE), undefined))
    expect(d.state.sold).toBe(2)
    expect(d.state.reservations).toEqual([])
    expect(d.events).toEqual([
      { type: 'stock.committed', data: { quantity: 2, sold: 2, available: 1 }, private: { reservationId: 'ord_1', holderId: 'usr_buyer', unitPrice: usd(2_000) } },
    ])
    expect(d.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'committed' }])
  })

  it('announces the listing sold out with its last unit', () => {
    const d = accepted(commit(reserved(2, hold('ord_1', 2)), 'ord_1', at(MINUTE), undefined))
    expect(types(d.events)).toEqual(['stock.committed', 'listing.sold_out'])
  })

  it('is done already for an id remembered as committed, and refused for one remembered as released or never held', () => {
    const s = reserved(3, hold('ord_1'))
    const repeat = accepted(commit(s, 'ord_9', at(0), 'committed'))
    expect(repeat.events).toEqual([])
    expect(repeat.state.sold).toBe(0)
    expect(refused(commit(s, 'ord_9', at(0), 'released'))).toEqual({ code: 'reservation_released' })
    expect(refused(commit(s, 'ord_9', at(0), undefined))).toEqual({ code: 'reservation_not_found' })
  })

  it('still commits a reservation past its TTL that no alarm has released yet (the order was paid)', () => {
    const d = accepted(commit(reserved(1, hold('ord_1')), 'ord_1', at(TTL + HOUR), undefined))
    expect(d.state.sold).toBe(1)
  })
})

describe('release', () => {
  it('gives the units back and records the settlement', () => {
    const d = accepted(release(reserved(3, hold('ord_1', 2)), 'ord_1', 'released', at(MINUTE), undefined))
    expect(availableQuantity(d.state)).toBe(3)
    expect(d.events).toEqual([
      { type: 'stock.released', data: { quantity: 2, available: 3, reason: 'released' }, private: { reservationId: 'ord_1', holderId: 'usr_buyer' } },
    ])
    expect(d.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'released' }])
  })

  it('records an id never held as released, without an event, so its late reservation is refused', () => {
    const s = openFixed({ quantity: 3 })
    const d = accepted(release(s, 'ord_late', 'released', at(0), undefined))
    expect(d.events).toEqual([])
    expect(d.settlements).toEqual([{ reservationId: 'ord_late', outcome: 'released' }])
    expect(refused(reserve(d.state, hold('ord_late'), at(0), 'released'))).toEqual({ code: 'reservation_released' })
  })

  it('is done already for an id remembered as released, and refused for one committed', () => {
    const s = reserved(3, hold('ord_1'))
    const repeat = accepted(release(s, 'ord_2', 'released', at(0), 'released'))
    expect(repeat.events).toEqual([])
    expect(repeat.settlements).toEqual([])
    expect(refused(release(s, 'ord_2', 'released', at(0), 'committed'))).toEqual({ code: 'already_committed' })
  })
})

/** Accepted offers at T0 (unbound holds): `ofr_1` for one unit, `ofr_2` for two, each held for its own checkout window. */
function withAcceptedOffers(s: ListingState): ListingState {
  const take = (state: ListingState, offerId: string, buyerId: string, quantity: number, checkoutMs: number) => {
    const offered = accepted(makeOffer(state, { offerId, buyerId, unitAmount: usd(1_500), quantity }, at(0), RULES)).state
    return accepted(respondToOffer(offered, offerId, SELLER, { kind: 'accept' }, at(0), { ...RULES, offerCheckoutMs: checkoutMs })).state
  }
  return take(take(s, 'ofr_1', 'usr_b1', 1, 10 * MINUTE), 'ofr_2', 'usr_b2', 2, 20 * MINUTE)
}

describe('expireReservations', () => {
  it('releases exactly the unbound holds whose time is up, as expired', () => {
    const s = withAcceptedOffers(openFixed({ quantity: 5, price: 2_000 }))
    expect(s.reservations.map((r) => [r.id, r.orderBound])).toEqual([
      ['ofr_1', false],
      ['ofr_2', false],
    ])
    expect(expireReservations(s, at(10 * MINUTE - 1)).events).toEqual([])
    const d = expireReservations(s, at(10 * MINUTE))
    expect(d.state.reservations.map((r) => r.id)).toEqual(['ofr_2'])
    expect(d.events).toEqual([
      { type: 'stock.released', data: { quantity: 1, available: 3, reason: 'expired' }, private: { reservationId: 'ofr_1', holderId: 'usr_b1' } },
    ])
    expect(d.settlements).toEqual([{ reservationId: 'ofr_1', outcome: 'released' }])
    const all = expireReservations(s, at(HOUR))
    expect(all.state.reservations).toEqual([])
    expect(all.settlements.map((x) => x.reservationId)).toEqual(['ofr_1', 'ofr_2'])
  })

  it('leaves an order-bound checkout reservation past its time to the object, which asks its order’s fate', () => {
    let s = withAcceptedOffers(openFixed({ quantity: 5, price: 2_000 }))
    s = accepted(reserve(s, { ...hold('ord_1'), ttlMs: 10 * MINUTE }, at(0), undefined)).state
    s = accepted(reserve(s, { ...hold('ord_2', 1, 'usr_other'), ttlMs: 20 * MINUTE }, at(0), undefined)).state
    expect(dueOrderReservations(s, at(10 * MINUTE - 1))).toEqual([])

    const d = expireReservations(s, at(HOUR))
    // Only the unbound holds lapse; the checkouts stay held, sold is untouched.
    expect(d.state.reservations.map((r) => r.id)).toEqual(['ord_1', 'ord_2'])
    expect(d.settlements.map((x) => x.reservationId)).toEqual(['ofr_1', 'ofr_2'])
    expect(eventsOf(d.events, 'stock.released').map((e) => e.private.reservationId)).toEqual(['ofr_1', 'ofr_2'])
    expect(availableQuantity(d.state)).toBe(3)

    // Due exactly at their expiry, in order; an unbound hold is never among them.
    expect(dueOrderReservations(s, at(10 * MINUTE)).map((r) => r.id)).toEqual(['ord_1'])
    expect(dueOrderReservations(s, at(HOUR))).toEqual([
      { id: 'ord_1', holderId: 'usr_buyer', quantity: 1, unitPrice: 2_000, expiresAt: iso(10 * MINUTE), source: 'checkout', orderBound: true },
      { id: 'ord_2', holderId: 'usr_other', quantity: 1, unitPrice: 2_000, expiresAt: iso(20 * MINUTE), source: 'checkout', orderBound: true },
    ])
    // Expiring again changes nothing: they wait until the object commits or releases them.
    const again = expireReservations(d.state, at(2 * HOUR))
    expect(again.events).toEqual([])
    expect(again.state).toBe(d.state)
    const paid = accepted(commit(again.state, 'ord_1', at(2 * HOUR), undefined))
    const unpaid = accepted(release(paid.state, 'ord_2', 'expired', at(2 * HOUR), undefined))
    expect(dueOrderReservations(unpaid.state, at(2 * HOUR))).toEqual([])
    expect(unpaid.state.sold).toBe(1)
  })
})

describe('reserve on an auction: Buy It Now', () => {
  const binAuction = () => openAuction({ startingBid: 1_000, buyNowPrice: 9_000 })

  it('buys it now: holds the item at the Buy It Now price and ends the auction', () => {
    const d = accepted(reserve(binAuction(), hold('ord_1'), at(MINUTE), undefined))
    expect(d.state.auction?.outcome).toBe('bought_now')
    expect(d.state.reservations).toEqual([
      { id: 'ord_1', holderId: 'usr_buyer', quantity: 1, unitPrice: 9_000, expiresAt: iso(MINUTE + TTL), source: 'buy_now', orderBound: true },
    ])
    expect(d.events).toEqual([
      { type: 'auction.ended', data: { outcome: 'bought_now', finalPrice: usd(9_000), bidCount: 0 }, private: { winnerId: 'usr_buyer' } },
      {
        type: 'stock.reserved',
        data: { quantity: 1, available: 0, expiresAt: iso(MINUTE + TTL) },
        private: { reservationId: 'ord_1', holderId: 'usr_buyer', source: 'buy_now', unitPrice: usd(9_000) },
      },
    ])
    expect(refused(placeBid(d.state, bid('usr_late', 20_000), at(2 * MINUTE), RULES))).toEqual({ code: 'auction_ended' })
  })

  it('refuses more than one unit, an auction without Buy It Now, and one whose Buy It Now is gone', () => {
    expect(refused(reserve(binAuction(), hold('ord_1', 2), at(MINUTE), undefined))).toMatchObject({ code: 'invalid_reservation' })
    expect(refused(reserve(openAuction(), hold('ord_1'), at(MINUTE), undefined))).toEqual({ code: 'not_for_sale' })
    const bidOn = accepted(placeBid(binAuction(), bid('usr_a', 1_000), at(MINUTE), RULES)).state
    expect(refused(reserve(bidOn, hold('ord_1'), at(MINUTE), undefined))).toEqual({ code: 'not_for_sale' })
  })

  it('stays open under an unmet reserve, and ends the auction over the leader', () => {
    const s = accepted(placeBid(openAuction({ startingBid: 1_000, reservePrice: 5_000, buyNowPrice: 9_000 }), bid('usr_a', 4_000), at(MINUTE), RULES)).state
    const d = accepted(reserve(s, hold('ord_1'), at(2 * MINUTE), undefined))
    expect(eventsOf(d.events, 'auction.ended')[0]?.private.winnerId).toBe('usr_buyer')
  })

  it('refuses once the auction is over', () => {
    expect(refused(reserve(binAuction(), hold('ord_1'), at(HOUR), undefined))).toEqual({ code: 'listing_closed' })
  })
})

describe('reservations the core refuses outright', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses a quantity of %s, changing nothing', (quantity) => {
    expect(refused(reserve(openFixed({ quantity: 3 }), { reservationId: 'ord_q', holderId: 'usr_b', quantity, ttlMs: TTL }, at(MINUTE)))).toMatchObject({ code: 'invalid_reservation' })
  })

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a hold lasting %s ms', (ttlMs) => {
    expect(refused(reserve(openFixed({ quantity: 3 }), { reservationId: 'ord_t', holderId: 'usr_b', quantity: 1, ttlMs }, at(MINUTE)))).toMatchObject({ code: 'invalid_reservation' })
  })
})

describe('an unpaid Buy It Now', () => {
  it('gives the auction back when its checkout is released: bidding resumes', () => {
    const bought = accepted(reserve(openAuction({ startingBid: 1_000, buyNowPrice: 9_000 }), hold('ord_bin'), at(MINUTE))).state
    const d = accepted(release(bought, 'ord_bin', 'released', at(2 * MINUTE)))
    expect(types(d.events)).toEqual(['stock.released', 'auction.resumed'])
    expect(d.state.auction?.outcome).toBeNull()
    expect(accepted(placeBid(d.state, bid('usr_a', 1_500), at(3 * MINUTE), RULES)).state.auction?.bidCount).toBe(1)
  })

  it('gives it back when its lapsed hold is released as expired (its order unpaid); the lapse alone does not', () => {
    const bought = accepted(reserve(openAuction({ startingBid: 1_000, buyNowPrice: 9_000 }), hold('ord_bin'), at(MINUTE))).state
    // The Buy It Now hold is order-bound: its lapse waits for the order's fate.
    const lapsed = expireReservations(bought, at(MINUTE + TTL))
    expect(lapsed.events).toEqual([])
    expect(lapsed.state.auction?.outcome).toBe('bought_now')
    expect(dueOrderReservations(bought, at(MINUTE + TTL - 1))).toEqual([])
    expect(dueOrderReservations(bought, at(MINUTE + TTL)).map((r) => r.id)).toEqual(['ord_bin'])
    const d = accepted(release(lapsed.state, 'ord_bin', 'expired', at(MINUTE + TTL)))
    expect(d.events).toEqual([
      { type: 'stock.released', data: { quantity: 1, available: 1, reason: 'expired' }, private: { reservationId: 'ord_bin', holderId: 'usr_buyer' } },
      { type: 'auction.resumed', data: { endsAt: iso(30 * MINUTE) }, private: {} },
    ])
    expect(d.state.auction?.outcome).toBeNull()
  })
})
