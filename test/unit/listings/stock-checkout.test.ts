import { describe, expect, it } from 'vitest'
import { endAuction, placeBid } from '../../../src/listings/auction'
import { updateListing } from '../../../src/listings/listing-lifecycle'
import { availableQuantity, listingStatus, type ListingState } from '../../../src/listings/listing-state'
import { makeOffer, respondToOffer } from '../../../src/listings/offers'
import { claim, commit, dueOrderReservations, expireReservations, release, reserve, reservedLine, restock, type Reserve } from '../../../src/listings/stock'
import { accepted, at, bid, HOUR, iso, LISTING_ID, MINUTE, openAuction, openFixed, refused, RULES, SELLER, types, usd } from './fixtures'

/**
 * The checkout side of stock: quoting the terms, an order claiming the buyer's own hold (an
 * accepted offer, a won auction), the price check at reservation, and a cancelled order's restock.
 */
const TTL = 15 * MINUTE
const BUYER = 'usr_buyer'
const OTHER = 'usr_other'
const checkout = (reservationId: string, quantity = 1, holderId = BUYER, expectedUnitPrice?: number): Reserve => ({ reservationId, holderId, quantity, ttlMs: TTL, expectedUnitPrice })

/** `quantity` units at $20.00 with BUYER's offer of $15.00 for `offered` units accepted at T0: an unbound hold `ofr_1` for 24 hours. */
function withAcceptedOffer(quantity = 3, offered = 1): ListingState {
  const s = accepted(makeOffer(openFixed({ quantity, price: 2_000 }), { offerId: 'ofr_1', buyerId: BUYER, unitAmount: usd(1_500), quantity: offered }, at(0), RULES)).state
  return accepted(respondToOffer(s, 'ofr_1', SELLER, { kind: 'accept' }, at(0), RULES)).state
}
const HOLD_EXPIRES = iso(RULES.offerCheckoutMs)

/** An auction BUYER won (ended at T0 + 30 minutes) at WON_PRICE: an unbound hold under the listing id. */
const WON_PRICE = 1_550 // the runner-up's $15.00 plus one $0.50 increment
function wonAuction(): ListingState {
  const s = accepted(placeBid(openAuction({ startingBid: 1_000 }), bid(BUYER, 2_000), at(MINUTE), RULES)).state
  const ended = accepted(placeBid(s, bid(OTHER, 1_500), at(2 * MINUTE), RULES)).state
  return endAuction(ended, at(30 * MINUTE), RULES).state
}

describe('reservedLine', () => {
  it('answers the terms a checkout holds at: the listing, its seller, title and currency, the held price, quantity and deadline', () => {
    const s = accepted(reserve(openFixed({ quantity: 3, price: 2_000 }), checkout('ord_1', 2, BUYER), at(MINUTE))).state
    expect(reservedLine(s, 'ord_1')).toEqual({
      listingId: LISTING_ID,
      sellerId: SELLER,
      title: s.title,
      currency: 'USD',
      unitPrice: 2_000,
      quantity: 2,
      expiresAt: s.reservations[0]?.expiresAt,
      source: 'checkout',
    })
  })

  it('answers an accepted offer’s price and deadline once a checkout has claimed its hold', () => {
    const s = accepted(reserve(withAcceptedOffer(3, 2), checkout('ord_1', 2, BUYER), at(MINUTE))).state
    expect(reservedLine(s, 'ord_1')).toMatchObject({ unitPrice: 1_500, quantity: 2, expiresAt: HOLD_EXPIRES, source: 'offer' })
  })

  it('answers nothing for an id that holds nothing: never reserved, committed or released', () => {
    const held = accepted(reserve(openFixed({ quantity: 3 }), checkout('ord_1', 1, BUYER), at(0))).state
    expect(reservedLine(held, 'ord_2')).toBeUndefined()
    expect(reservedLine(accepted(commit(held, 'ord_1', at(0))).state, 'ord_1')).toBeUndefined()
    expect(reservedLine(accepted(release(held, 'ord_1', 'released', at(0))).state, 'ord_1')).toBeUndefined()
  })
})

describe('reserve: a repeat of the same reservation', () => {
  it('answers the hold it made while it lives, and finds it lapsed once its deadline has passed (no charge may start on it)', () => {
    const held = accepted(reserve(openFixed({ quantity: 2 }), { ...checkout('ord_1', 1, BUYER), ttlMs: MINUTE }, at(0))).state
    const again = accepted(reserve(held, { ...checkout('ord_1', 1, BUYER), ttlMs: MINUTE }, at(MINUTE - 1)))
    expect(again.events).toEqual([])
    expect(again.state).toBe(held)
    expect(refused(reserve(held, { ...checkout('ord_1', 1, BUYER), ttlMs: MINUTE }, at(MINUTE)))).toEqual({ code: 'reservation_released' })
    expect(refused(reserve(held, checkout('ord_1', 2, BUYER), at(0)))).toEqual({ code: 'reservation_conflict' })
  })
})

describe('reserve: a won auction is paid through its own order', () => {
  it('answers the winner awaiting_payment (no order yet), then naming the order that claimed the hold; holds nothing more', () => {
    const won = wonAuction()
    expect(refused(reserve(won, checkout('ord_x', 1, BUYER), at(HOUR)))).toEqual({ code: 'awaiting_payment', orderId: null })
    const claimed = accepted(claim(won, LISTING_ID, 'ord_w', at(HOUR))).state
    expect(refused(reserve(claimed, checkout('ord_x', 1, BUYER), at(HOUR)))).toEqual({ code: 'awaiting_payment', orderId: 'ord_w' })
    expect(claimed.reservations).toHaveLength(1)
  })

  it('answers anyone else that the auction is closed', () => {
    expect(refused(reserve(wonAuction(), checkout('ord_x', 1, OTHER), at(HOUR)))).toEqual({ code: 'listing_closed' })
  })
})

describe('claim', () => {
  it('binds the hold to the order: same units, price and deadline, under the order id', () => {
    const s = withAcceptedOffer()
    const d = accepted(claim(s, 'ofr_1', 'ord_1', at(MINUTE)))
    expect(d.state.reservations).toEqual([
      { id: 'ord_1', holderId: BUYER, quantity: 1, unitPrice: 1_500, expiresAt: HOLD_EXPIRES, source: 'offer', orderBound: true },
    ])
    expect(d.events).toEqual([{ type: 'stock.claimed', data: { quantity: 1 }, private: { reservationId: 'ord_1', holdId: 'ofr_1', holderId: BUYER } }])
    expect(d.settlements).toEqual([])
    expect(d.state.updatedAt).toBe(iso(MINUTE))
    expect(availableQuantity(d.state)).toBe(availableQuantity(s))
  })

  it('is idempotent: claiming again for the same order changes nothing and says nothing', () => {
    const once = accepted(claim(withAcceptedOffer(), 'ofr_1', 'ord_1', at(MINUTE))).state
    const twice = accepted(claim(once, 'ofr_1', 'ord_1', at(2 * MINUTE)))
    expect(twice.events).toEqual([])
    expect(twice.settlements).toEqual([])
    expect(twice.state).toBe(once)
  })

  it('refuses a hold that is not there, one already claimed by another order, and a checkout’s own reservation', () => {
    const s = withAcceptedOffer()
    expect(refused(claim(s, 'ofr_nope', 'ord_1', at(MINUTE)))).toEqual({ code: 'reservation_not_found' })
    const claimed = accepted(claim(s, 'ofr_1', 'ord_1', at(MINUTE))).state
    expect(refused(claim(claimed, 'ofr_1', 'ord_2', at(MINUTE)))).toEqual({ code: 'reservation_not_found' })
    expect(refused(claim(claimed, 'ord_1', 'ord_2', at(MINUTE)))).toEqual({ code: 'reservation_not_found' })
    const checkedOut = accepted(reserve(s, checkout('ord_3', 1, OTHER), at(MINUTE))).state
    expect(refused(claim(checkedOut, 'ord_3', 'ord_4', at(MINUTE)))).toEqual({ code: 'reservation_not_found' })
    const lapsed = expireReservations(s, at(RULES.offerCheckoutMs)).state
    expect(refused(claim(lapsed, 'ofr_1', 'ord_1', at(RULES.offerCheckoutMs)))).toEqual({ code: 'reservation_not_found' })
  })

  it('makes the hold wait for its order: it no longer lapses, it is due for the object, and commits under the order id', () => {
    const claimed = accepted(claim(withAcceptedOffer(), 'ofr_1', 'ord_1', at(MINUTE))).state
    const lapse = at(RULES.offerCheckoutMs)
    expect(expireReservations(claimed, lapse).events).toEqual([])
    expect(dueOrderReservations(claimed, new Date(lapse.getTime() - 1))).toEqual([])
    expect(dueOrderReservations(claimed, lapse).map((r) => r.id)).toEqual(['ord_1'])
    expect(refused(commit(claimed, 'ofr_1', lapse))).toEqual({ code: 'reservation_not_found' })
    const paid = accepted(commit(claimed, 'ord_1', lapse))
    expect(paid.state.sold).toBe(1)
    expect(paid.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'committed' }])
  })

  it('binds a won auction’s hold the same way', () => {
    const d = accepted(claim(wonAuction(), LISTING_ID, 'ord_w', at(HOUR)))
    expect(d.state.reservations).toMatchObject([{ id: 'ord_w', holderId: BUYER, unitPrice: WON_PRICE, source: 'auction', orderBound: true }])
    expect(types(d.events)).toEqual(['stock.claimed'])
  })
})

describe('reserve: the buyer’s own hold is claimed, not doubled', () => {
  it('claims the accepted offer’s hold for the same quantity, at its price and deadline, holding nothing more', () => {
    const s = withAcceptedOffer(3, 2)
    const d = accepted(reserve(s, checkout('ord_1', 2, BUYER, 1_500), at(MINUTE)))
    expect(d.events).toEqual([{ type: 'stock.claimed', data: { quantity: 2 }, private: { reservationId: 'ord_1', holdId: 'ofr_1', holderId: BUYER } }])
    expect(d.state.reservations).toEqual([
      { id: 'ord_1', holderId: BUYER, quantity: 2, unitPrice: 1_500, expiresAt: HOLD_EXPIRES, source: 'offer', orderBound: true },
    ])
    expect(availableQuantity(d.state)).toBe(1)
    // The order repeating its reservation is answered from the hold it now has.
    const again = accepted(reserve(d.state, checkout('ord_1', 2, BUYER, 1_500), at(2 * MINUTE)))
    expect(again.events).toEqual([])
    expect(again.state.reservations).toEqual(d.state.reservations)
  })

  it('claims the unit held for the buyer on a listing otherwise sold out; anyone else finds it sold out', () => {
    const s = withAcceptedOffer(1)
    expect(availableQuantity(s)).toBe(0)
    expect(refused(reserve(s, checkout('ord_2', 1, OTHER), at(MINUTE)))).toEqual({ code: 'sold_out', available: 0 })
    expect(types(accepted(reserve(s, checkout('ord_1'), at(MINUTE))).events)).toEqual(['stock.claimed'])
  })

  it('reserves afresh at the listing price for another quantity, leaving the hold alone', () => {
    const s = withAcceptedOffer(3, 1)
    const d = accepted(reserve(s, checkout('ord_1', 2), at(MINUTE)))
    expect(types(d.events)).toEqual(['stock.reserved'])
    expect(d.state.reservations.map((r) => [r.id, r.quantity, r.unitPrice, r.orderBound])).toEqual([
      ['ofr_1', 1, 1_500, false],
      ['ord_1', 2, 2_000, true],
    ])
  })

  it('does not claim a hold twice: the buyer’s second order is a new checkout', () => {
    const claimed = accepted(reserve(withAcceptedOffer(1), checkout('ord_1'), at(MINUTE))).state
    expect(refused(reserve(claimed, checkout('ord_2'), at(2 * MINUTE)))).toEqual({ code: 'sold_out', available: 0 })
  })
})

describe('reserve: price_changed', () => {
  it('refuses a checkout written at another price than the listing’s, holding nothing, and takes the right one', () => {
    const s = openFixed({ quantity: 3, price: 2_000 })
    const d = reserve(s, checkout('ord_1', 1, BUYER, 1_900), at(MINUTE))
    expect(refused(d)).toEqual({ code: 'price_changed', unitPrice: 2_000 })
    expect(accepted(reserve(s, checkout('ord_1', 1, BUYER, 2_000), at(MINUTE))).state.reservations).toMatchObject([{ id: 'ord_1', unitPrice: 2_000 }])
  })

  it('refuses the price a buyer saw before the seller changed it, naming the new one', () => {
    const s = openFixed({ quantity: 3, price: 2_000 })
    const terms = { unitPrice: s.price ?? 0 }
    const raised = accepted(updateListing(s, { actorId: SELLER, expectedVersion: undefined, price: usd(2_400) }, at(MINUTE))).state
    expect(refused(reserve(raised, checkout('ord_1', 1, BUYER, terms.unitPrice), at(2 * MINUTE)))).toEqual({ code: 'price_changed', unitPrice: 2_400 })
  })

  it('checks a claimed hold against its own price, and leaves it unclaimed when that differs', () => {
    const s = withAcceptedOffer()
    expect(refused(reserve(s, checkout('ord_1', 1, BUYER, 2_000), at(MINUTE)))).toEqual({ code: 'price_changed', unitPrice: 1_500 })
    expect(s.reservations).toMatchObject([{ id: 'ofr_1', orderBound: false }])
  })

  it('checks Buy It Now against its price, and the auction stays open when that differs', () => {
    const s = openAuction({ startingBid: 1_000, buyNowPrice: 9_000 })
    expect(refused(reserve(s, checkout('ord_1', 1, BUYER, 8_000), at(MINUTE)))).toEqual({ code: 'price_changed', unitPrice: 9_000 })
    expect(listingStatus(s, at(MINUTE))).toBe('active')
    expect(accepted(reserve(s, checkout('ord_1', 1, BUYER, 9_000), at(MINUTE))).state.auction?.outcome).toBe('bought_now')
  })
})

describe('restock', () => {
  /** Three units at $20.00; BUYER's order `ord_1` for two, committed (paid) at T0 + 1 minute. */
  const sold = () => accepted(commit(accepted(reserve(openFixed({ quantity: 3, price: 2_000 }), checkout('ord_1', 2), at(0))).state, 'ord_1', at(MINUTE))).state

  it('puts a committed order’s units back on sale and records the order as restocked', () => {
    const d = accepted(restock(sold(), 'ord_1', 2, at(HOUR), 'committed'))
    expect(d.state.sold).toBe(0)
    expect(availableQuantity(d.state)).toBe(3)
    expect(d.events).toEqual([{ type: 'stock.restocked', data: { quantity: 2, sold: 0, available: 3 }, private: { reservationId: 'ord_1' } }])
    expect(d.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'restocked' }])
    expect(d.state.updatedAt).toBe(iso(HOUR))
  })

  it('brings a sold-out listing back: it can be bought again', () => {
    const soldOut = accepted(commit(accepted(reserve(openFixed({ price: 2_000 }), checkout('ord_1'), at(0))).state, 'ord_1', at(0))).state
    expect(listingStatus(soldOut, at(MINUTE))).toBe('sold_out')
    const back = accepted(restock(soldOut, 'ord_1', 1, at(MINUTE), 'committed')).state
    expect(listingStatus(back, at(MINUTE))).toBe('active')
    expect(types(accepted(reserve(back, checkout('ord_2', 1, OTHER), at(2 * MINUTE))).events)).toEqual(['stock.reserved'])
  })

  it('is idempotent: an order remembered as restocked is not restocked again', () => {
    const s = accepted(restock(sold(), 'ord_1', 2, at(HOUR), 'committed')).state
    const again = accepted(restock(s, 'ord_1', 2, at(2 * HOUR), 'restocked'))
    expect(again.events).toEqual([])
    expect(again.settlements).toEqual([])
    expect(again.state).toBe(s)
  })

  it('releases an order’s reservation still held, so a payment arriving after the cancellation cannot sell it', () => {
    const held = accepted(reserve(openFixed({ quantity: 3, price: 2_000 }), checkout('ord_1', 2), at(0))).state
    const d = accepted(restock(held, 'ord_1', 2, at(MINUTE), undefined))
    expect(d.events).toEqual([{ type: 'stock.released', data: { quantity: 2, available: 3, reason: 'released' }, private: { reservationId: 'ord_1', holderId: BUYER } }])
    expect(d.settlements).toEqual([{ reservationId: 'ord_1', outcome: 'released' }])
    expect(d.state.sold).toBe(0)
    expect(refused(commit(d.state, 'ord_1', at(2 * MINUTE), 'released'))).toEqual({ code: 'reservation_released' })
  })

  it('records an order never reserved here as released, and does nothing for one already released', () => {
    const s = openFixed({ quantity: 3 })
    const never = accepted(restock(s, 'ord_9', 1, at(0), undefined))
    expect(never.events).toEqual([])
    expect(never.settlements).toEqual([{ reservationId: 'ord_9', outcome: 'released' }])
    const repeat = accepted(restock(s, 'ord_9', 1, at(0), 'released'))
    expect(repeat.events).toEqual([])
    expect(repeat.settlements).toEqual([])
  })

  it('gives a cancelled Buy It Now back to the auction', () => {
    const bought = accepted(reserve(openAuction({ startingBid: 1_000, buyNowPrice: 9_000 }), checkout('ord_bin'), at(MINUTE))).state
    const d = accepted(restock(bought, 'ord_bin', 1, at(2 * MINUTE), undefined))
    expect(types(d.events)).toEqual(['stock.released', 'auction.resumed'])
    expect(d.state.auction?.outcome).toBeNull()
  })

  it('refuses to restock more than was sold, or nothing at all', () => {
    expect(refused(restock(sold(), 'ord_1', 3, at(HOUR), 'committed'))).toEqual({ code: 'invalid_reservation', reason: 'cannot restock more than was sold' })
    expect(refused(restock(sold(), 'ord_1', 0, at(HOUR), 'committed'))).toMatchObject({ code: 'invalid_reservation' })
    expect(refused(restock(sold(), 'ord_1', 1.5, at(HOUR), 'committed'))).toMatchObject({ code: 'invalid_reservation' })
  })

  it('ends the order’s id for good: it cannot be reserved or committed again, and releasing it is a no-op', () => {
    const s = accepted(restock(sold(), 'ord_1', 2, at(HOUR), 'committed')).state
    expect(refused(reserve(s, checkout('ord_1', 2), at(HOUR), 'restocked'))).toEqual({ code: 'reservation_released' })
    expect(refused(commit(s, 'ord_1', at(HOUR), 'restocked'))).toEqual({ code: 'reservation_released' })
    const released = accepted(release(s, 'ord_1', 'released', at(HOUR), 'restocked'))
    expect(released.events).toEqual([])
    expect(released.settlements).toEqual([])
  })
})
