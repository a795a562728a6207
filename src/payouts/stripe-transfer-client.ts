import { stripeRequest, type StripeConfig, type StripeError } from '../payments/stripe-api-client'
import type { PayoutProvider, TransferFailure, TransferOutcome } from './payout-provider'

type Transfer = { id?: string; object?: string }

/**
 * Payouts through Stripe Connect: `POST /v1/transfers` moves the amount from Souk's Stripe balance
 * to the seller's connected account (`destination`, `acct_…`), with the payout id as
 * `Idempotency-Key` (and in its metadata), so a repeat answers the same transfer and moves nothing
 * more. Stripe then pays the connected account out to its bank on that account's schedule.
 * A payout without a connected account fails at once (`no_payout_account`) without a call.
 */
export function stripeTransfers(cfg: StripeConfig): PayoutProvider {
  return {
    provider: 'stripe',
    async transfer(req): Promise<TransferOutcome> {
      if (!req.destination) return { status: 'failed', code: 'no_payout_account' }
      const { status, body } = await stripeRequest<Transfer>(
        cfg,
        'POST',
        '/v1/transfers',
        { amount: String(req.amount.amount), currency: req.amount.currency.toLowerCase(), destination: req.destination, transfer_group: req.key, 'metadata[payout_id]': req.key, 'metadata[seller_id]': req.sellerId },
        req.key,
      )
      if (status === 200 && typeof body.id === 'string') return { status: 'paid', reference: body.id }
      return { status: 'failed', code: failureOf(body) }
    },
  }
}

function failureOf(body: StripeError): TransferFailure {
  const code = body.error?.code ?? ''
  if (code === 'balance_insufficient' || code === 'insufficient_funds') return 'insufficient_platform_funds'
  if (code === 'account_closed') return 'account_closed'
  if (code === 'account_invalid' || code === 'resource_missing') return 'invalid_destination'
  return 'declined'
}
