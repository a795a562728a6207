import { describe, expect, it } from 'vitest'
import { sandboxAttempt, sandboxRefusesRefund, sandboxTokens } from '../../../src/payments/sandbox-behaviour'

/** The first `n` attempts with a token, in order. */
const attempts = (token: string, n: number) => Array.from({ length: n }, (_, i) => sandboxAttempt(token, i))

describe('sandboxAttempt', () => {
  it('charges pm_card_visa and pm_card_mastercard on every attempt', () => {
    for (const token of ['pm_card_visa', 'pm_card_mastercard']) expect(attempts(token, 3)).toEqual([{ kind: 'charge' }, { kind: 'charge' }, { kind: 'charge' }])
  })

  it('declines pm_card_chargeDeclined as card_declined, every time', () => {
    expect(attempts('pm_card_chargeDeclined', 2)).toEqual([
      { kind: 'decline', code: 'card_declined' },
      { kind: 'decline', code: 'card_declined' },
    ])
  })

  it('declines pm_card_chargeDeclinedInsufficientFunds as insufficient_funds', () => {
    expect(sandboxAttempt('pm_card_chargeDeclinedInsufficientFunds', 0)).toEqual({ kind: 'decline', code: 'insufficient_funds' })
  })

  it('declines pm_card_riskLevelHighest as fraudulent', () => {
    expect(sandboxAttempt('pm_card_riskLevelHighest', 0)).toEqual({ kind: 'decline', code: 'fraudulent' })
  })

  it('charges pm_sandbox_timeout but never answers the charge in time (only a retrieve finds the charge)', () => {
    expect(attempts('pm_sandbox_timeout', 3)).toEqual([{ kind: 'timeout_after_charge' }, { kind: 'timeout_after_charge' }, { kind: 'timeout_after_charge' }])
  })

  it('answers pm_sandbox_error with a server error, always', () => {
    expect(attempts('pm_sandbox_error', 4).every((a) => a.kind === 'server_error')).toBe(true)
  })

  it('fails pm_sandbox_flaky with a 5xx every other attempt, starting with the first', () => {
    expect(attempts('pm_sandbox_flaky', 5).map((a) => a.kind)).toEqual(['server_error', 'charge', 'server_error', 'charge', 'server_error'])
  })

  it('charges pm_sandbox_refund_refused like a card, and refuses its refunds (the refund_refused case); no other token', () => {
    expect(attempts('pm_sandbox_refund_refused', 2).map((a) => a.kind)).toEqual(['charge', 'charge'])
    expect(sandboxTokens.filter(sandboxRefusesRefund)).toEqual(['pm_sandbox_refund_refused'])
  })

  it('declines a token it does not know as invalid_payment_method', () => {
    expect(sandboxAttempt('pm_card_unknown', 0)).toEqual({ kind: 'decline', code: 'invalid_payment_method' })
    expect(sandboxAttempt('', 0)).toEqual({ kind: 'decline', code: 'invalid_payment_method' })
  })

  it('gives every listed token its own rule (none falls through to invalid_payment_method)', () => {
    for (const token of sandboxTokens) expect(sandboxAttempt(token, 1)).not.toEqual({ kind: 'decline', code: 'invalid_payment_method' })
  })
})
