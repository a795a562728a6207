import { TracedObject } from '../platform/traced-object'
import type { TransferFailure } from './payout-provider'
import { sandboxTransferAttempt } from './sandbox-payout-behaviour'

/** One payout's transfer as the sandbox provider keeps it: tests read it to prove the money moved once. */
export type SandboxTransfer = {
  key: string
  amount: number
  currency: string
  status: 'attempted' | 'paid' | 'failed'
  reference: string | null
  failureCode: TransferFailure | null
  attempts: number
  /** How many times money actually moved: never more than one. */
  transfers: number
}

export type SandboxTransferAnswer = { status: 'paid'; reference: string } | { status: 'failed'; code: TransferFailure } | { status: 'server_error' } | { status: 'timeout' }

const KEY = 'transfer'

/**
 * The sandbox payout provider (`PAYOUT_PROVIDER=sandbox`, development only): one object per
 * payout (its idempotency key), idempotent by that key like Stripe, answering by the test amounts
 * of sandbox-payout-behaviour.ts and keeping its own record of the transfer.
 */
export class SandboxPayoutObject extends TracedObject {
  transfer(key: string, amount: number, currency: string, reference: string): SandboxTransferAnswer {
    const kv = this.ctx.storage.kv
    const rec = kv.get<SandboxTransfer>(KEY) ?? { key, amount, currency, status: 'attempted', reference: null, failureCode: null, attempts: 0, transfers: 0 }
    // A repeat of a finished transfer answers as it ended (and moves nothing).
    if (rec.status === 'paid' && rec.reference) {
      kv.put(KEY, { ...rec, attempts: rec.attempts + 1 })
      return { status: 'paid', reference: rec.reference }
    }
    if (rec.status === 'failed' && rec.failureCode) return { status: 'failed', code: rec.failureCode }
    const attempt = sandboxTransferAttempt(rec.amount, rec.attempts)
    const next = { ...rec, attempts: rec.attempts + 1 }
    switch (attempt.kind) {
      case 'server_error':
        kv.put(KEY, next)
        return { status: 'server_error' }
      case 'fail':
        kv.put(KEY, { ...next, status: 'failed', failureCode: attempt.code })
        return { status: 'failed', code: attempt.code }
      case 'pay':
      case 'timeout_after_transfer':
        kv.put(KEY, { ...next, status: 'paid', reference, transfers: rec.transfers + 1 })
        return attempt.kind === 'pay' ? { status: 'paid', reference } : { status: 'timeout' }
    }
  }

  record(): SandboxTransfer | null {
    return this.ctx.storage.kv.get<SandboxTransfer>(KEY) ?? null
  }
}
