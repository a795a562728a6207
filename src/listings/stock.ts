import { reject } from '../core/decision'
import { money } from '../core/money'
import { buyNowAvailable } from './auction'
import { hold } from './holds'
import { accepted, type ListingAccepted, type ListingDecision } from './listing-decision'
import { closeOffers } from './offers'
import type { ListingEvent, ReleaseReason } from '../events/contract/listing-events'
import { availableQuantity, listingStatus, sellerFrozen, type ListingState, type Reservation } from './listing-state'

/**
 * Stock and reservations (law 1: sold + reserved ≤ quantity, always). A reservation holds units
 * for one buyer until their checkout commits or releases it; all three commands are idempotent
 * by reservation id (the order id), so a saga can repeat them after any crash. `prior` is how
 * an earlier reservation with this id ended, from the store's record of settled ids.
 */
export type SettledOutcome = 'committed' | 'released' | 'restocked'

/**
 * A checkout's reservation, by order id. `expectedUnitPrice` is the price the order was written
 * at: if the listing's price (or the buyer's hold) no longer matches, nothing is reserved.
 */
export type Reserve = { reservationId: string; holderId: string; quantity: number; ttlMs: number; expectedUnitPrice?: number }

export type StockRejection =
  | { code: 'invalid_reservation'; reason: string }
  | { code: 'sold_out'; available: number }
  | { code: 'listing_closed' }
  | { code: 'own_listing' }
  | { code: 'not_for_sale' }
  | { code: 'reservation_conflict' }
  | { code: 'reservation_released' }
  | { code: 'reservation_not_found' }
  | { code: 'already_committed' }
  | { code: 'price_changed'; unitPrice: number }
  /** The buyer won this auction: its order (null until it is made) is paid as it stands, not reserved again. */
  | { code: 'awaiting_payment'; orderId: string | null }
  /** The seller's account is frozen: nothing new is held on their listings (seller-standing.ts). */
  | { code: 'seller_frozen' }

export function reserve(s: ListingState, cmd: Reserve, now: Date, prior?: SettledOutcome): ListingDecision<StockRejection> {
  if (!Number.isSafeInteger(cmd.quantity) || cmd.quantity < 1) return reject({ code: 'invalid_reservation', reason: 'quantity must be a whole number of at least 1' })
  if (!Number.isFinite(cmd.ttlMs) || cmd.ttlMs <= 0) return reject({ code: 'invalid_reservation', reason: 'the hold must last a positive time' })
  if (prior === 'committed') return accepted(s, [])
  if (prior === 'released' || prior === 'restocked') return reject({ code: 'reservation_released' })
  const held = s.reservations.find((r) => r.id === cmd.reservationId)
  if (held) {
    if (held.holderId !== cmd.holderId || held.quantity !== cmd.quantity) return reject({ code: 'reservation_conflict' })
    // Past its deadline the hold is as good as lapsed (its alarm is due): no charge may start on it.
    return live(held, now) ? accepted(s, []) : reject({ code: 'reservation_released' })
  }
  // A repeat of a hold made before the freeze is answered above (its checkout may already have
  // been charged); anything new — a hold, a Buy It Now, an offer's or a won auction's checkout — waits.
  if (sellerFrozen(s)) return reject({ code: 'seller_frozen' })
  if (cmd.holderId === s.sellerId) return reject({ code: 'own_listing' })
  const won = s.reservations.find((r) => r.source === 'auction' && r.holderId === cmd.holderId && live(r, now))
  if (won) return reject({ code: 'awaiting_payment', orderId: won.orderBound ? won.id : null })
  // An accepted offer is checked out against its hold: the order takes it over.
  const own = claimableHold(s, cmd.holderId, cmd.quantity, now)
  if (own) {
    if (cmd.expectedUnitPrice !== undefined && cmd.expectedUnitPrice !== own.unitPrice) return reject({ code: 'price_changed', unitPrice: own.unitPrice })
    return claim(s, own.id, cmd.reservationId, now)
  }
  const status = listingStatus(s, now)
  if (status === 'sold_out') return reject({ code: 'sold_out', available: 0 })
  if (status !== 'active') return reject({ code: 'listing_closed' })
  if (s.auction) return buyNow(s, cmd, now)
  const available = availableQuantity(s)
  if (cmd.quantity > available) return reject({ code: 'sold_out', available })
  const unitPrice = s.price ?? 0
  if (cmd.expectedUnitPrice !== undefined && cmd.expectedUnitPrice !== unitPrice) return reject({ code: 'price_changed', unitPrice })
  return accepted(...hold(s, { id: cmd.reservationId, holderId: cmd.holderId, quantity: cmd.quantity, unitPrice, source: 'checkout', orderBound: true }, now, cmd.ttlMs))
}

/** The unbound hold of an accepted offer a buyer may check out for this quantity. */
function claimableHold(s: ListingState, holderId: string, quantity: number, now: Date): Reservation | undefined {
  return s.reservations.find((r) => !r.orderBound && r.source === 'offer' && r.holderId === holderId && r.quantity === quantity && live(r, now))
}

/** A hold past its deadline is as good as lapsed, even before the alarm releases it. */
const live = (r: Reservation, now: Date): boolean => Date.parse(r.expiresAt) > now.getTime()

/** What a checkout holds on one listing, and the terms its order is written at. */
export type ReservedLine = {
  listingId: string
  sellerId: string
  title: string
  currency: ListingState['currency']
  unitPrice: number
  quantity: number
  expiresAt: string
  source: Reservation['source']
}

/**
 * A reservation's answer: held (with its terms; `fresh` when this call made the hold, not an
 * earlier one of the same order), or, for a repeat, already sold to that order.
 */
export type Reserved = { state: 'held'; line: ReservedLine; fresh: boolean } | { state: 'committed' }

/** The line a live reservation stands for; undefined when `reservationId` holds nothing here. */
export function reservedLine(s: ListingState, reservationId: string): ReservedLine | undefined {
  const r = s.reservations.find((x) => x.id === reservationId)
  if (!r) return undefined
  return { listingId: s.id, sellerId: s.sellerId, title: s.title, currency: s.currency, unitPrice: r.unitPrice, quantity: r.quantity, expiresAt: r.expiresAt, source: r.source }
}

/**
 * Binds a hold to the order that pays for it: same units, price and deadline, under the order's
 * id, so its lapse asks the order's fate. Idempotent: claiming what is already claimed is nothing.
 */
export function claim(s: ListingState, holdId: string, orderId: string, now: Date): ListingDecision<StockRejection> {
  if (s.reservations.some((r) => r.id === orderId)) return s.reservations.some((r) => r.id === holdId) ? reject({ code: 'reservation_conflict' }) : accepted(s, [])
  const hold = s.reservations.find((r) => r.id === holdId && !r.orderBound && live(r, now))
  if (!hold) return reject({ code: 'reservation_not_found' })
  const next = { ...s, reservations: s.reservations.map((r) => (r.id === holdId ? { ...r, id: orderId, orderBound: true } : r)), updatedAt: now.toISOString() }
  return accepted(next, [{ type: 'stock.claimed', data: { quantity: hold.quantity }, private: { reservationId: orderId, holdId, holderId: hold.holderId } }])
}

/** On an auction, checkout buys it now while Buy It Now is offered: that ends the auction. */
function buyNow(s: ListingState, cmd: Reserve, now: Date): ListingDecision<StockRejection> {
  const a = s.auction
  if (!a?.buyNowPrice || !buyNowAvailable(a)) return reject({ code: 'not_for_sale' })
  if (cmd.quantity !== 1) return reject({ code: 'invalid_reservation', reason: 'an auction sells one item' })
  if (cmd.expectedUnitPrice !== undefined && cmd.expectedUnitPrice !== a.buyNowPrice) return reject({ code: 'price_changed', unitPrice: a.buyNowPrice })
  const [held, events] = hold(s, { id: cmd.reservationId, holderId: cmd.holderId, quantity: 1, unitPrice: a.buyNowPrice, source: 'buy_now', orderBound: true }, now, cmd.ttlMs)
  const ended: ListingEvent = {
    type: 'auction.ended',
    data: { outcome: 'bought_now', finalPrice: money(a.buyNowPrice, s.currency), bidCount: a.bidCount },
    private: { winnerId: cmd.holderId },
  }
  return accepted({ ...held, auction: { ...a, outcome: 'bought_now' } }, [ended, ...events])
}

export function commit(s: ListingState, reservationId: string, now: Date, prior?: SettledOutcome): ListingDecision<StockRejection> {
  if (prior === 'committed') return accepted(s, [])
  if (prior === 'released' || prior === 'restocked') return reject({ code: 'reservation_released' })
  const r = s.reservations.find((x) => x.id === reservationId)
  if (!r) return reject({ code: 'reservation_not_found' })
  const sold = s.sold + r.quantity
  const next = { ...s, sold, reservations: s.reservations.filter((x) => x.id !== reservationId), updatedAt: now.toISOString() }
  const events: ListingEvent[] = [
    {
      type: 'stock.committed',
      data: { quantity: r.quantity, sold, available: availableQuantity(next) },
      private: { reservationId, holderId: r.holderId, unitPrice: money(r.unitPrice, s.currency) },
    },
  ]
  if (sold < s.quantity) return accepted(next, events, [{ reservationId, outcome: 'committed' }])
  // Sold out: offers still waiting can never be filled now.
  const closed = closeOffers(next, () => true, 'declined', 'stock_taken', now)
  return accepted(closed.state, [...events, { type: 'listing.sold_out', data: {}, private: {} }, ...closed.events], [{ reservationId, outcome: 'committed' }])
}

/**
 * Gives the units back. Releasing an id never reserved still records it as released, so a
 * reservation that arrives after its own compensation (a saga racing itself) is refused.
 */
export function release(s: ListingState, reservationId: string, reason: ReleaseReason, now: Date, prior?: SettledOutcome): ListingDecision<StockRejection> {
  if (prior === 'released' || prior === 'restocked') return accepted(s, [])
  if (prior === 'committed') return reject({ code: 'already_committed' })
  return accepted(...releaseHeld(s, reservationId, reason, now), [{ reservationId, outcome: 'released' }])
}

/**
 * A cancelled order gives its units back, whatever became of them: a live reservation is
 * released; units already sold return to stock (`quantity` is the order's, as the listing keeps
 * no record of sold lines). Idempotent by order id: a second restock changes nothing.
 */
export function restock(s: ListingState, orderId: string, quantity: number, now: Date, prior?: SettledOutcome): ListingDecision<StockRejection> {
  if (prior === 'restocked') return accepted(s, [])
  if (prior !== 'committed') return release(s, orderId, 'released', now, prior)
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > s.sold) return reject({ code: 'invalid_reservation', reason: 'cannot restock more than was sold' })
  const sold = s.sold - quantity
  const next = { ...s, sold, updatedAt: now.toISOString() }
  return accepted(next, [{ type: 'stock.restocked', data: { quantity, sold, available: availableQuantity(next) }, private: { reservationId: orderId } }], [
    { reservationId: orderId, outcome: 'restocked' },
  ])
}

function releaseHeld(s: ListingState, reservationId: string, reason: ReleaseReason, now: Date): [ListingState, ListingEvent[]] {
  const r = s.reservations.find((x) => x.id === reservationId)
  if (!r) return [s, []]
  const next = { ...s, reservations: s.reservations.filter((x) => x.id !== reservationId), updatedAt: now.toISOString() }
  const released: ListingEvent = {
    type: 'stock.released',
    data: { quantity: r.quantity, available: availableQuantity(next), reason },
    private: { reservationId, holderId: r.holderId },
  }
  // A Buy It Now that was not paid for gives the auction back: it runs on (or ends on its alarm).
  if (r.source === 'buy_now' && next.auction?.outcome === 'bought_now') {
    const resumed = { ...next, auction: { ...next.auction, outcome: null } }
    return [resumed, [released, { type: 'auction.resumed', data: { endsAt: next.auction.endsAt }, private: {} }]]
  }
  return [next, [released]]
}

/** Order-bound reservations whose time is up: the object asks each order's fate before acting. */
export const dueOrderReservations = (s: ListingState, now: Date): Reservation[] =>
  s.reservations.filter((r) => r.orderBound && Date.parse(r.expiresAt) <= now.getTime())

/** Releases every unbound hold whose time is up (order-bound ones wait for their order's fate). */
export function expireReservations(s: ListingState, now: Date): ListingAccepted {
  const due = s.reservations.filter((r) => !r.orderBound && Date.parse(r.expiresAt) <= now.getTime())
  return due.reduce<ListingAccepted>(
    (acc, r) => {
      const [state, events] = releaseHeld(acc.state, r.id, 'expired', now)
      return accepted(state, [...acc.events, ...events], [...acc.settlements, { reservationId: r.id, outcome: 'released' }])
    },
    accepted(s, []),
  )
}
