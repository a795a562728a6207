import { endAuction } from './auction'
import { andThen, type ListingAccepted } from './listing-decision'
import type { ListingRules, ListingState } from './listing-state'
import { expireOffers } from './offers'
import { expireReservations } from './stock'

/**
 * The listing's timers, derived from its state rather than kept beside it: the auction's end,
 * each pending offer's expiry, each reservation's. The object arms one alarm for the earliest.
 */
export function nextDeadline(s: ListingState): number | null {
  const times: number[] = []
  if (s.auction && s.auction.outcome === null && !s.withdrawn) times.push(Date.parse(s.auction.endsAt))
  for (const o of s.offers) if (o.status === 'pending') times.push(Date.parse(o.expiresAt))
  for (const r of s.reservations) times.push(Date.parse(r.expiresAt))
  return times.length > 0 ? Math.min(...times) : null
}

/** Everything due by `now`, in order: reservations lapse, offers expire, the auction ends. */
export function runDeadlines(s: ListingState, now: Date, rules: Pick<ListingRules, 'auctionPaymentMs'>): ListingAccepted {
  return andThen(
    andThen(expireReservations(s, now), (x) => expireOffers(x, now)),
    (x) => endAuction(x, now, rules),
  )
}
