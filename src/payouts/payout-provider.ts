import type { Money } from '../core/money'

/**
 * The payout provider port: sends a recorded payout's money to the seller. Every call carries the
 * payout id as its idempotency key, so a repeated call (a redelivered job, two jobs at once, a
 * timeout) moves the money at most once and answers as the first did.
 */
export type TransferRequest = {
  /** The payout id. */
  key: string
  sellerId: string
  /** Where the money goes at the provider (Stripe: the seller's connected account `acct_…`); null when none is recorded. */
  destination: string | null
  amount: Money
}

/** Why a provider refused a transfer for good (the money goes back to the seller's balance). */
export type TransferFailure = 'no_payout_account' | 'account_closed' | 'invalid_destination' | 'insufficient_platform_funds' | 'declined' | 'rejected_in_review'

export type TransferOutcome =
  | { status: 'paid'; reference: string }
  | { status: 'failed'; code: TransferFailure }
  /** No answer that can be trusted (timeout, 5xx): ask again with the same key, later. */
  | { status: 'unknown'; reason: string }
  /** Nothing was attempted (the breaker is open, or the provider's rate limit is spent). */
  | { status: 'unavailable'; reason: string }

export interface PayoutProvider {
  readonly provider: 'sandbox' | 'stripe'
  transfer(req: TransferRequest): Promise<TransferOutcome>
}
