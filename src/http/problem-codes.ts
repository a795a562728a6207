/**
 * Every stable machine `code` a problem response may carry, with its human title. A code is a
 * contract: clients branch on it, so one is never renamed or reused for another meaning.
 */
export const problemTitles = {
  validation_failed: 'The request has invalid fields',
  malformed_json: 'The body is not valid JSON',
  unsupported_media_type: 'The body must be application/json',
  payload_too_large: 'The body is larger than the 64 KiB limit',
  not_found: 'Not found',
  unauthenticated: 'A valid bearer token is required',
  forbidden: 'This credential may not do that',
  account_frozen: 'This account is frozen',
  invalid_credentials: 'The e-mail address or password is wrong',
  email_taken: 'That e-mail address is already registered',
  api_key_limit: 'Too many live API keys',
  mfa_required: 'A current one-time code is required',
  idempotency_key_missing: 'This request needs an Idempotency-Key header',
  idempotency_key_invalid: 'The Idempotency-Key header must be 1 to 255 visible ASCII characters',
  idempotency_key_reused: 'This Idempotency-Key was used with a different request',
  idempotency_request_in_progress: 'A request with this Idempotency-Key is still running',
  rate_limited: 'Too many requests',
  precondition_required: 'This change needs an If-Match header with the ETag you read',
  version_conflict: 'The resource changed since you read it',
  upgrade_required: 'This route speaks WebSocket only',
  invalid_listing: 'The listing terms do not hold together',
  ends_too_soon: 'The auction would end too soon',
  ends_too_late: 'The auction would end too late',
  listing_closed: 'The listing is no longer active',
  not_editable: 'That field cannot change on this listing',
  quantity_below_committed: 'The quantity cannot go below what is sold or reserved',
  listing_reserved: 'Stock of this listing is reserved for a buyer',
  has_bids: 'An auction with bids cannot be withdrawn',
  not_an_auction: 'Bids are for auctions',
  auction_ended: 'The auction has ended',
  own_listing: 'Sellers cannot buy, bid on or make offers on their own listings',
  currency_mismatch: 'The amount is not in the listing\'s currency',
  bid_too_low: 'The bid is below the minimum',
  offers_not_accepted: 'This listing does not take offers',
  offer_limit: 'This listing has as many open offers as it takes; try again later',
  offer_above_price: 'An offer cannot exceed the asking price',
  sold_out: 'Not enough stock is available',
  not_your_turn: 'The other party must answer this offer',
  offer_not_pending: 'The offer is no longer open',
  not_for_sale: 'This listing cannot be bought now',
  price_changed: 'The price changed since the checkout was priced',
  multiple_sellers: 'All items of one checkout must come from one seller',
  invalid_checkout: 'The checkout does not hold together',
  risk_blocked: 'This checkout was refused by the risk checks',
  payment_declined: 'The payment method was declined',
  payments_unavailable: 'The payment provider cannot be reached now; retry with the same Idempotency-Key',
  checkout_cancelled: 'The order of this checkout was cancelled',
  invalid_transition: 'The order cannot do that in its current status',
  unknown_carrier: 'Souk does not take tracking from that carrier',
  tracking_number_taken: 'That tracking number belongs to another order',
  invalid_signature: 'The webhook signature does not verify',
  insufficient_balance: 'The available balance is less than the payout',
  already_reviewed: 'You have already reviewed this order',
  internal_error: 'Something went wrong on our side',
  service_misconfigured: 'The service is not configured correctly',
} as const satisfies Record<string, string>

export type ProblemCode = keyof typeof problemTitles

export const problemCodes = Object.keys(problemTitles) as ProblemCode[]

/** Where a problem's `type` points: the /docs page lists every code with its meaning. */
export const problemType = (code: ProblemCode): string => `/docs#problem-${code}`
