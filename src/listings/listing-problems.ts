import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { Problem } from '../http/problem'
import type { ProblemCode } from '../http/problem-codes'
import type { BidRejection } from './auction'
import type { ImageRejection } from './listing-images'
import type { CreateRejection, UpdateRejection, WithdrawRejection } from './listing-lifecycle'
import type { BidRiskRefusal, NotFound } from './listing-object'
import type { OfferRejection } from './offers'

/**
 * How the listing core's rejections read over HTTP. Typed as a total table: a new rejection does
 * not compile until it has a status and a stable code here.
 */
export type ListingRejection = BidRejection | BidRiskRefusal | CreateRejection | UpdateRejection | WithdrawRejection | OfferRejection | ImageRejection | NotFound | { code: 'listing_exists' }

const answers = {
  not_found: [404, 'not_found'],
  offer_not_found: [404, 'not_found'],
  not_seller: [403, 'forbidden'],
  listing_exists: [409, 'invalid_listing'],
  invalid_listing: [422, 'invalid_listing'],
  ends_too_soon: [422, 'ends_too_soon'],
  ends_too_late: [422, 'ends_too_late'],
  version_conflict: [412, 'version_conflict'],
  listing_closed: [409, 'listing_closed'],
  listing_withdrawn: [409, 'listing_closed'],
  not_editable: [409, 'not_editable'],
  quantity_below_committed: [409, 'quantity_below_committed'],
  listing_reserved: [409, 'listing_reserved'],
  has_bids: [409, 'has_bids'],
  currency_mismatch: [422, 'currency_mismatch'],
  not_an_auction: [409, 'not_an_auction'],
  auction_ended: [409, 'auction_ended'],
  own_listing: [409, 'own_listing'],
  bid_too_low: [409, 'bid_too_low'],
  offers_not_accepted: [409, 'offers_not_accepted'],
  offer_limit: [409, 'offer_limit'],
  offer_above_price: [422, 'offer_above_price'],
  sold_out: [409, 'sold_out'],
  not_your_turn: [409, 'not_your_turn'],
  offer_not_pending: [409, 'offer_not_pending'],
  seller_frozen: [409, 'seller_frozen'],
  risk_blocked: [403, 'risk_blocked'],
  image_limit: [409, 'image_limit'],
  image_not_found: [404, 'not_found'],
} satisfies Record<ListingRejection['code'], [ContentfulStatusCode, ProblemCode]>

export function listingProblem(r: ListingRejection): Problem {
  const [status, code] = answers[r.code]
  // `floor` and `newBidderMinimum` are for the edge's memory; the bidder is told their own minimum.
  // A risk refusal's `reasons` name the rule that caught the bid: told, a shill bidder would know what to change.
  const { code: _code, reason, floor: _floor, newBidderMinimum: _newBidder, reasons: _reasons, ...extra } = r as { code: string; reason?: string } & Record<string, unknown>
  return new Problem(status, code, reason, { extra })
}
