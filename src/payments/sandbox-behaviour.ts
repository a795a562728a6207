import type { DeclineCode } from './gateway'

/**
 * The sandbox's test payment methods (Stripe's tokens, plus Souk's fault tokens), as a pure rule:
 * what a charge attempt with a token does, given how many attempts came before it.
 */
export type SandboxAttempt =
  | { kind: 'charge' }
  | { kind: 'decline'; code: DeclineCode }
  /** The charge goes through, but the answer never arrives in time. */
  | { kind: 'timeout_after_charge' }
  /** A 5xx: nothing is charged. */
  | { kind: 'server_error' }

export const sandboxTokens = [
  'pm_card_visa',
  'pm_card_mastercard',
  'pm_card_chargeDeclined',
  'pm_card_chargeDeclinedInsufficientFunds',
  'pm_card_riskLevelHighest',
  'pm_sandbox_timeout',
  'pm_sandbox_error',
  'pm_sandbox_flaky',
  'pm_sandbox_refund_refused',
] as const

/** A refund (or void) the provider refuses, for good: the `refund_refused` runbook's case. */
export const sandboxRefusesRefund = (paymentMethod: string): boolean => paymentMethod === 'pm_sandbox_refund_refused'

export function sandboxAttempt(paymentMethod: string, previousAttempts: number): SandboxAttempt {
  switch (paymentMethod) {
    case 'pm_card_visa':
    case 'pm_card_mastercard':
    case 'pm_sandbox_refund_refused':
      return { kind: 'charge' }
    case 'pm_card_chargeDeclined':
      return { kind: 'decline', code: 'card_declined' }
    case 'pm_card_chargeDeclinedInsufficientFunds':
      return { kind: 'decline', code: 'insufficient_funds' }
    case 'pm_card_riskLevelHighest':
      return { kind: 'decline', code: 'fraudulent' }
    case 'pm_sandbox_timeout':
      // The charge goes through once, but no answer ever arrives: only asking
      // where the charge stands (retrieve) finds it. That is the case reconciliation exists for.
      return { kind: 'timeout_after_charge' }
    case 'pm_sandbox_error':
      return { kind: 'server_error' }
    case 'pm_sandbox_flaky':
      return previousAttempts % 2 === 0 ? { kind: 'server_error' } : { kind: 'charge' }
    default:
      return { kind: 'decline', code: 'invalid_payment_method' }
  }
}
