import { accepted, type ListingDecision } from './listing-decision'
import type { SellerStanding, ListingState } from './listing-state'

/**
 * A frozen seller's listings are suspended (docs/SECURITY.md "Freezing an account"): while the
 * seller is frozen nobody may reserve, buy, bid on or make an offer on them, an auction that
 * reaches its end ends without a sale (`cancelled`), and search hides them. Units already held
 * for a buyer (a checkout under way, an accepted offer, a won auction) stay held, and their
 * commits and releases go on, so nothing is lost or sold twice; only new commitments are
 * refused. An unfreeze reinstates the listings as they stand.
 *
 * The word comes with the account's standing `seq`: a standing at or below the one the listing
 * holds changes nothing, so a repeated or late fan-out never undoes a newer one. Pure.
 */
export type SellerStandingRejection = { code: 'seller_frozen' }

export function applySellerStanding(s: ListingState, standing: SellerStanding, now: Date): ListingDecision<never> {
  const known = s.sellerStanding ?? { frozen: false, seq: 0 }
  if (!Number.isSafeInteger(standing.seq) || standing.seq <= known.seq) return accepted(s, [])
  const next: ListingState = { ...s, sellerStanding: { frozen: standing.frozen, seq: standing.seq } }
  if (standing.frozen === known.frozen) return accepted(next, [])
  return accepted({ ...next, updatedAt: now.toISOString() }, [{ type: standing.frozen ? 'listing.suspended' : 'listing.reinstated', data: {}, private: {} }])
}
