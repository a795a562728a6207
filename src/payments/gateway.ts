import type { Money } from '../core/money'

/**
 * The payment gateway port. Every call carries an idempotency key, so any call may be repeated
 * after a timeout or a crash and the provider does it at most once. Card data never enters Souk:
 * `paymentMethod` is a provider token (`pm_…`).
 */
/**
 * A charge the provider captures at once (one call): the checkout's only call to the provider.
 * `capture: 'manual'` only authorizes (an order held for review); `capture` then takes the money.
 */
export type ChargeRequest = { key: string; orderId: string; amount: Money; paymentMethod: string; capture?: 'automatic' | 'manual' }
export type CaptureRequest = { key: string; paymentId: string; amount: Money }
export type RefundRequest = { key: string; paymentId: string; amount: Money }

export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'fraudulent' | 'invalid_payment_method'

/** What a call is known to have done. `unknown`: no answer that can be trusted (timeout, 5xx). */
export type GatewayOutcome =
  | { status: 'succeeded'; paymentId: string }
  | { status: 'declined'; code: DeclineCode }
  | { status: 'unknown'; reason: string }
  /** Nothing was attempted (the breaker is open, or the provider's rate limit is spent). */
  | { status: 'unavailable'; reason: string }

/** Where the charge made under an order's key stands, as the provider sees it now. */
export type ChargeState =
  | { status: 'not_found' }
  | { status: 'authorized'; paymentId: string }
  | { status: 'captured'; paymentId: string }
  | { status: 'refunded'; paymentId: string }
  | { status: 'declined'; code: DeclineCode }
  | { status: 'unknown'; reason: string }

export interface PaymentGateway {
  readonly provider: string
  charge(req: ChargeRequest): Promise<GatewayOutcome>
  /** Captures an authorization found by `retrieve` (a provider that held the charge instead of capturing it). */
  capture(req: CaptureRequest): Promise<GatewayOutcome>
  refund(req: RefundRequest): Promise<GatewayOutcome>
  /** Where the charge made under `req.key` stands; asking never moves money. */
  retrieve(req: ChargeRequest): Promise<ChargeState>
  /**
   * The card behind a payment method (Stripe's `card.fingerprint`: the same for every payment
   * method made from one card number), for the risk engine's card counts; null when the provider
   * cannot say now. Asking never moves money.
   */
  fingerprint(paymentMethod: string): Promise<string | null>
}

/**
 * A provider's answer that says nothing final: the call may be retried with the same key.
 * `maybeApplied` is true when the provider may have acted (a timeout), false when it cannot have.
 */
export class TransientGatewayError extends Error {
  constructor(
    message: string,
    readonly maybeApplied: boolean,
  ) {
    super(message)
    this.name = 'TransientGatewayError'
  }
}

/** The idempotency keys Souk uses for one order's calls: the saga can always be run again. */
export const gatewayKeys = (orderId: string) => ({ charge: orderId, capture: `${orderId}:capture`, refund: `${orderId}:refund` })
