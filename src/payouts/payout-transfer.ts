import type { Currency } from '../core/money'
import type { Logger } from '../core/logger'
import type { PayoutProvider, TransferFailure, TransferOutcome } from './payout-provider'

/**
 * A recorded payout's way to its end, as pure rules over ports: `pending → paid` when the provider
 * transferred the money, `pending → failed` (with the ledger's reversal) when it refused for good,
 * and `pending` still, to be asked again later, when its answer says nothing final. Run by the
 * `payout` job (payout-job.ts); any number of runs, one after another or at once, end the same.
 */
export type PayoutStatus = 'pending' | 'paid' | 'failed'
export type Payout = { id: string; sellerId: string; amount: number; currency: Currency; status: PayoutStatus }

/** What the provider's answer does to a payout in `status`. */
export type PayoutMove = { kind: 'paid'; reference: string } | { kind: 'failed'; code: TransferFailure } | { kind: 'ask_later'; reason: string } | { kind: 'none' }

export function payoutMove(status: PayoutStatus, outcome: TransferOutcome): PayoutMove {
  if (status !== 'pending') return { kind: 'none' }
  switch (outcome.status) {
    case 'paid':
      return { kind: 'paid', reference: outcome.reference }
    case 'failed':
      return { kind: 'failed', code: outcome.code }
    case 'unknown':
    case 'unavailable':
      // Never `failed` on a transient answer: the money may have moved, and only the provider can say.
      return { kind: 'ask_later', reason: outcome.reason }
  }
}

export type PayoutPorts = {
  payouts: {
    find(payoutId: string): Promise<Payout | undefined>
    /** `pending → paid`, only if still pending; answers whether it moved. */
    markPaid(payout: Payout, reference: string, at: string): Promise<boolean>
    /** `pending → failed` and the ledger's reversal in one batch, both only if still pending; answers whether it moved. */
    markFailed(payout: Payout, code: TransferFailure, at: string): Promise<boolean>
    /** The seller's account at the provider, if one is recorded. */
    destinationOf(sellerId: string): Promise<string | null>
  }
  provider: PayoutProvider
  /** Records the move in the audit log (only the run that made the move calls it). */
  audit(action: 'payout.paid' | 'payout.failed', payout: Payout, details: Record<string, string>): Promise<void>
  now(): Date
  log: Logger
}

/** Transfers a payout; `later` when the provider could not say (the job asks again with backoff). */
export async function transferPayout(p: PayoutPorts, payoutId: string): Promise<'done' | 'later'> {
  const payout = await p.payouts.find(payoutId)
  if (!payout) {
    p.log.warn('payout_unknown', { payoutId })
    return 'done'
  }
  if (payout.status !== 'pending') return 'done'
  const destination = await p.payouts.destinationOf(payout.sellerId)
  const outcome = await p.provider.transfer({ key: payout.id, sellerId: payout.sellerId, destination, amount: { amount: payout.amount, currency: payout.currency } })
  const move = payoutMove(payout.status, outcome)
  const at = p.now().toISOString()
  switch (move.kind) {
    case 'paid':
      if (await p.payouts.markPaid(payout, move.reference, at)) {
        p.log.info('payout_paid', { payoutId, provider: p.provider.provider })
        await p.audit('payout.paid', payout, { reference: move.reference })
      }
      return 'done'
    case 'failed':
      if (await p.payouts.markFailed(payout, move.code, at)) {
        p.log.warn('payout_failed', { payoutId, provider: p.provider.provider, code: move.code })
        await p.audit('payout.failed', payout, { code: move.code })
      }
      return 'done'
    case 'ask_later':
      p.log.warn('payout_outcome_unknown', { payoutId, provider: p.provider.provider, reason: move.reason })
      return 'later'
    case 'none':
      return 'done'
  }
}
