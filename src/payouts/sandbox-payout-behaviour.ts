import type { TransferFailure } from './payout-provider'

/**
 * The sandbox payout provider's test amounts (documented in docs/PAYMENTS.md), as a pure rule:
 * what a transfer attempt of `amount` minor units does, given how many attempts came before it.
 *
 *   …13 (amount % 100 = 13, e.g. 1013)   refused for good: `account_closed` → the payout fails and is reversed
 *   …503 (amount % 1000 = 503)           a 5xx on the first two attempts, then paid
 *   …504 (amount % 1000 = 504)           the first attempt transfers but its answer is lost (a timeout); asking again answers paid
 *   …599 (amount % 1000 = 599)           a 5xx every time: the payout stays pending and its job ends in the dead-letter queue
 *   anything else                        paid
 */
export type SandboxTransferAttempt = { kind: 'pay' } | { kind: 'fail'; code: TransferFailure } | { kind: 'server_error' } | { kind: 'timeout_after_transfer' }

export function sandboxTransferAttempt(amount: number, previousAttempts: number): SandboxTransferAttempt {
  if (amount % 100 === 13) return { kind: 'fail', code: 'account_closed' }
  switch (amount % 1000) {
    case 503:
      return previousAttempts < 2 ? { kind: 'server_error' } : { kind: 'pay' }
    case 504:
      return previousAttempts === 0 ? { kind: 'timeout_after_transfer' } : { kind: 'pay' }
    case 599:
      return { kind: 'server_error' }
    default:
      return { kind: 'pay' }
  }
}
