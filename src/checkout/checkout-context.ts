import type { ReservedLine } from '../listings/stock'
import type { HistoryRow, OrderDraft } from '../orders/order-draft'
import type { OrderPorts } from '../orders/order-ports'
import type { OrderRecord } from '../orders/order-view'
import type { DeclineCode, GatewayOutcome } from '../payments/gateway'
import type { RequestOrigin } from '../risk/risk-engine'

/** What the checkout steps share: the request, the order id, and what each step made. */
export type CheckoutItem = { listingId: string; quantity: number }

export type CheckoutRequest = {
  buyerId: string
  /** The caller's Idempotency-Key: one key, one order, at most one capture. */
  key: string
  /** Derived from (buyer, key): checkout-order-id.ts. */
  orderId: string
  items: CheckoutItem[]
  paymentMethod: string
  /**
   * The buyer's shipping address, sealed for the order it goes on (one AES-GCM seal: the checkout's
   * order, or the won auction's), so the saga, its draft and its jobs never hold it in the clear.
   */
  sealAddress: (orderId: string) => Promise<string>
  /** The caller proved a second factor with this request (answers a risk challenge). */
  steppedUp: boolean
  /** The shipping address's country, for the risk engine (the address itself is sealed). */
  shippingCountry: string | null
  /** Where the request came from, as keyed pseudonyms (risk signals). */
  origin: RequestOrigin
  /** The SHA-256 of the caller's token: the account confirms it still stands (null: nothing to confirm). */
  credentialHash: string | null
}

export type CheckoutRejection =
  | { code: 'not_found'; listingId: string }
  | { code: 'sold_out'; listingId: string; available: number }
  | { code: 'listing_closed' | 'not_for_sale' | 'own_listing' | 'seller_frozen'; listingId: string }
  | { code: 'price_changed'; listingId: string; unitPrice: number }
  | { code: 'multiple_sellers' | 'currency_mismatch' | 'invalid_checkout'; reason: string }
  | { code: 'risk_blocked' | 'mfa_required'; reasons: string[] }
  /** The caller's credential was revoked, or the account frozen or erased, since this isolate last asked. */
  | { code: 'unauthenticated' | 'account_frozen' }
  | { code: 'payment_declined'; orderId: string; declineCode: DeclineCode }
  /** The checkout's order was cancelled or given up (its hold lapsed); any money taken goes back. */
  | { code: 'checkout_cancelled'; orderId: string }
  /** The provider could not be asked (breaker open, rate limit): the holds wait for a retry with the same key. */
  | { code: 'payments_unavailable'; orderId: string }
  | { code: 'invalid_transition'; orderId: string; status: OrderRecord['status'] }
  /** The buyer won this auction: its order is paid as it stands (auction-checkout.ts). */
  | { code: 'awaiting_payment'; orderId: string | null }

export type CheckoutResult =
  | { kind: 'paid' | 'pending'; order: OrderRecord; history: Pick<HistoryRow, 'status' | 'at'>[] }
  /** This checkout was decided by an earlier try: the order is read as it stands. */
  | { kind: 'decided'; orderId: string }
  | { kind: 'rejected'; rejection: CheckoutRejection }

export type Checkout = {
  readonly ports: OrderPorts
  readonly request: CheckoutRequest
  readonly now: Date
  /** Listings on which this run made a new hold: what compensation releases. */
  fresh: string[]
  /** What each held line holds, in listing-id order. */
  lines: ReservedLine[]
  /** The order as it will be written, once every line is held. */
  draft?: OrderDraft
  /** The provider's answer to the charge. */
  charge?: GatewayOutcome
  /** The order once written paid, and its history. */
  order?: OrderRecord
  history?: HistoryRow[]
  /** The answer, once known. */
  result?: CheckoutResult
}

export const rejected = (rejection: CheckoutRejection): CheckoutResult => ({ kind: 'rejected', rejection })

/** The draft, which every step after reservation relies on. */
export function draftOf(ck: Checkout): OrderDraft {
  if (!ck.draft) throw new Error('checkout step ran before its lines were held')
  return ck.draft
}
