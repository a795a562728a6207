import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import type { TransferOutcome, TransferRequest } from '../../../src/payouts/payout-provider'
import { payoutMove, transferPayout, type Payout, type PayoutPorts, type PayoutStatus } from '../../../src/payouts/payout-transfer'
import { sandboxTransferAttempt } from '../../../src/payouts/sandbox-payout-behaviour'

const log = createLogger({ sink: () => {}, now: () => new Date(0), level: 'error' })

/** In-memory payouts and ledger, moved with the same guards as payout-store.ts (only while pending). */
function fakePorts(payout: Payout, answers: TransferOutcome[]) {
  const state = { payout: { ...payout }, reversals: 0, audits: [] as string[], requests: [] as TransferRequest[] }
  const ports: PayoutPorts = {
    payouts: {
      find: (id) => Promise.resolve(id === state.payout.id ? { ...state.payout } : undefined),
      markPaid: () => {
        if (state.payout.status !== 'pending') return Promise.resolve(false)
        state.payout.status = 'paid'
        return Promise.resolve(true)
      },
      markFailed: () => {
        if (state.payout.status !== 'pending') return Promise.resolve(false)
        state.payout.status = 'failed'
        state.reversals += 1
        return Promise.resolve(true)
      },
      destinationOf: () => Promise.resolve('acct_1'),
    },
    provider: {
      provider: 'sandbox',
      transfer: (req) => {
        state.requests.push(req)
        return Promise.resolve(answers.shift() ?? { status: 'unknown', reason: 'script ended' })
      },
    },
    audit: (action) => {
      state.audits.push(action)
      return Promise.resolve()
    },
    now: () => new Date('2026-03-22T09:15:00Z'),
    log,
  }
  return { ports, state }
}

const payout: Payout = { id: 'pyo_1', sellerId: 'usr_s', amount: 4000, currency: 'EUR', status: 'pending' }

describe('payoutMove', () => {
  it('pays or fails only a pending payout, and never fails it on an answer that says nothing final', () => {
    expect(payoutMove('pending', { status: 'paid', reference: 'tr_1' })).toEqual({ kind: 'paid', reference: 'tr_1' })
    expect(payoutMove('pending', { status: 'failed', code: 'account_closed' })).toEqual({ kind: 'failed', code: 'account_closed' })
    expect(payoutMove('pending', { status: 'unknown', reason: '500' }).kind).toBe('ask_later')
    expect(payoutMove('pending', { status: 'unavailable', reason: 'circuit open' }).kind).toBe('ask_later')
    for (const status of ['paid', 'failed'] as const) expect(payoutMove(status, { status: 'failed', code: 'declined' })).toEqual({ kind: 'none' })
  })
})

describe('transferPayout', () => {
  it('asks the provider with the payout id as key, then moves it paid and audits it once', async () => {
    const { ports, state } = fakePorts(payout, [{ status: 'paid', reference: 'tr_1' }])
    expect(await transferPayout(ports, 'pyo_1')).toBe('done')
    expect(state.requests).toEqual([{ key: 'pyo_1', sellerId: 'usr_s', destination: 'acct_1', amount: { amount: 4000, currency: 'EUR' } }])
    expect(state.payout.status).toBe('paid')
    expect(state.audits).toEqual(['payout.paid'])
    // A redelivered job finds it paid and asks nobody.
    expect(await transferPayout(ports, 'pyo_1')).toBe('done')
    expect(state.requests).toHaveLength(1)
  })

  it('leaves the payout pending and asks for later on a transient answer, then finishes on the next run', async () => {
    const { ports, state } = fakePorts(payout, [{ status: 'unknown', reason: 'sandbox answered 500' }, { status: 'failed', code: 'account_closed' }])
    expect(await transferPayout(ports, 'pyo_1')).toBe('later')
    expect(state.payout.status).toBe('pending')
    expect(state.reversals).toBe(0)
    expect(await transferPayout(ports, 'pyo_1')).toBe('done')
    expect(state.payout.status).toBe('failed')
    expect(state.reversals).toBe(1)
    expect(state.audits).toEqual(['payout.failed'])
  })

  it('reverses at most once and ends in one final status, whatever the answers and however many runs, in any interleaving', async () => {
    const outcome = fc.constantFrom<TransferOutcome>({ status: 'paid', reference: 'tr_1' }, { status: 'failed', code: 'declined' }, { status: 'unknown', reason: 'timeout' }, { status: 'unavailable', reason: 'open' })
    await fc.assert(
      fc.asyncProperty(fc.array(outcome, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 5 }), async (answers, parallel) => {
        const { ports, state } = fakePorts(payout, [...answers])
        const firstFinal = answers.find((a) => a.status === 'paid' || a.status === 'failed')
        for (let i = 0; i < answers.length; i += parallel) await Promise.all(Array.from({ length: parallel }, () => transferPayout(ports, 'pyo_1')))
        const expected: PayoutStatus = firstFinal?.status === 'paid' ? 'paid' : firstFinal?.status === 'failed' ? 'failed' : 'pending'
        // The first final answer decides; whatever a concurrent or later run hears after it changes nothing.
        expect(state.payout.status).toBe(expected)
        expect(state.reversals).toBe(state.payout.status === 'failed' ? 1 : 0)
        expect(state.audits.length).toBe(state.payout.status === 'pending' ? 0 : 1)
      }),
    )
  })

  it('acknowledges a job for a payout that does not exist', async () => {
    const { ports, state } = fakePorts(payout, [])
    expect(await transferPayout(ports, 'pyo_missing')).toBe('done')
    expect(state.requests).toEqual([])
  })
})

describe('sandboxTransferAttempt', () => {
  it('follows the documented test amounts', () => {
    expect(sandboxTransferAttempt(1013, 0)).toEqual({ kind: 'fail', code: 'account_closed' })
    expect(sandboxTransferAttempt(113, 5)).toEqual({ kind: 'fail', code: 'account_closed' })
    expect([0, 1, 2, 3].map((n) => sandboxTransferAttempt(1503, n).kind)).toEqual(['server_error', 'server_error', 'pay', 'pay'])
    expect([0, 1].map((n) => sandboxTransferAttempt(2504, n).kind)).toEqual(['timeout_after_transfer', 'pay'])
    expect([0, 9].map((n) => sandboxTransferAttempt(1599, n).kind)).toEqual(['server_error', 'server_error'])
    expect(sandboxTransferAttempt(4000, 0)).toEqual({ kind: 'pay' })
  })

  it('pays every other amount at once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(20), (amount, n) => {
        fc.pre(amount % 100 !== 13 && ![503, 504, 599].includes(amount % 1000))
        expect(sandboxTransferAttempt(amount, n)).toEqual({ kind: 'pay' })
      }),
    )
  })
})
