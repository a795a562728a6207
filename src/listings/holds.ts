import { money } from '../core/money'
import type { ListingEvent } from '../events/contract/listing-events'
import { availableQuantity, type ListingState, type Reservation } from './listing-state'

/**
 * Holding units for one buyer: what a checkout's reservation and an accepted offer share, kept
 * apart from both so neither imports the other.
 */
/** Adds a reservation and says so. */
export function hold(s: ListingState, r: Omit<Reservation, 'expiresAt'>, now: Date, ttlMs: number): [ListingState, ListingEvent[]] {
  const reservation: Reservation = { ...r, expiresAt: new Date(now.getTime() + ttlMs).toISOString() }
  const next = { ...s, reservations: [...s.reservations, reservation], updatedAt: now.toISOString() }
  const event: ListingEvent = {
    type: 'stock.reserved',
    data: { quantity: r.quantity, available: availableQuantity(next), expiresAt: reservation.expiresAt },
    private: { reservationId: r.id, holderId: r.holderId, source: r.source, unitPrice: money(r.unitPrice, s.currency) },
  }
  return [next, [event]]
}
