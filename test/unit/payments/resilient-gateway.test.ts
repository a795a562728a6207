import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import type { BreakerPolicy } from '../../../src/payments/circuit-breaker'
import { TransientGatewayError, type ChargeRequest, type ChargeState, type GatewayOutcome, type PaymentGateway } from '../../../src/payments/gateway'
import { resilient, type Resilience } from '../../../src/payments/resilient-gateway-client'

const POLICY: BreakerPolicy = { minFailures: 100, failureRate: 0.35, windowMs: 300_000, cooldownMs: 120_000 }
const AUTH: ChargeRequest = { key: 'ord_1', orderId: 'ord_1', amount: { amount: 2_500, currency: 'USD' }, paymentMethod: 'pm_card_visa' }
const CAPTURE = { key: 'ord_1:capture', paymentId: 'pay_1', amount: { amount: 2_500, currency: 'USD' as const } }

/** One scripted answer of the provider: an outcome, a thrown error, or no answer at all. */
type Step = GatewayOutcome | ChargeState | { throws: Error } | 'hang'

/** A provider adapter that answers each call with the next step of its script (the last one repeats). */
function fakeProvider(script: Step[]) {
  const calls: string[] = []
  const next = (name: string): Promise<never> | Promise<GatewayOutcome & ChargeState> => {
    calls.push(name)
    const step = script[Math.min(calls.length - 1, script.length - 1)]
    if (step === undefined) throw new Error('empty script')
    if (step === 'hang') return new Promise<never>(() => {})
    if ('throws' in step) return Promise.reject(step.throws)
    return Promise.resolve(step as GatewayOutcome & ChargeState)
  }
  const inner: PaymentGateway = {
    provider: 'fake',
    charge: () => next('charge'),
    capture: () => next('capture'),
    refund: () => next('refund'),
    retrieve: () => next('retrieve'),
    fingerprint: (pm) => {
      calls.push('fingerprint')
      const step = script[Math.min(calls.length - 1, script.length - 1)]
      if (step === 'hang') return new Promise<never>(() => {})
      if (step !== undefined && 'throws' in step) return Promise.reject(step.throws)
      return Promise.resolve(`fp_${pm}`)
    },
  }
  return { inner, calls }
}

/** The wrapper's surroundings, all fake: a breaker that answers from a script, a quota, a sleep that records. */
function surroundings(o: { allow?: boolean[]; quota?: boolean[]; maxAttempts?: number; timeoutMs?: number } = {}) {
  const recorded: ('ok' | 'failed')[] = []
  const sleeps: number[] = []
  const lines: string[] = []
  let allowAsked = 0
  let quotaAsked = 0
  const from = (xs: boolean[] | undefined, i: number) => (xs ? (xs[Math.min(i, xs.length - 1)] ?? true) : true)
  const r: Resilience = {
    timeoutMs: o.timeoutMs ?? 1_000,
    maxAttempts: o.maxAttempts ?? 3,
    breaker: {
      allow: (policy) => {
        expect(policy).toBe(POLICY)
        return Promise.resolve(from(o.allow, allowAsked++))
      },
      record: (outcome, policy) => {
        expect(policy).toBe(POLICY)
        recorded.push(outcome)
        return Promise.resolve()
      },
    },
    breakerPolicy: POLICY,
    quota: () => Promise.resolve(from(o.quota, quotaAsked++)),
    sleep: (ms) => {
      sleeps.push(ms)
      return Promise.resolve()
    },
    random: () => 0.5,
    log: createLogger({ sink: (line) => lines.push(line), now: () => new Date(0), level: 'debug' }),
  }
  return { r, recorded, sleeps, lines, quotaAsked: () => quotaAsked }
}

const transient = (maybeApplied = true) => ({ throws: new TransientGatewayError('HTTP 503', maybeApplied) })

describe('resilient: transient failures', () => {
  it('retries a transient error up to maxAttempts, then answers unknown with the last reason', async () => {
    const { inner, calls } = fakeProvider([transient()])
    const s = surroundings({ maxAttempts: 3 })
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'unknown', reason: 'HTTP 503' })
    expect(calls).toEqual(['charge', 'charge', 'charge'])
    expect(s.recorded).toEqual(['failed', 'failed', 'failed'])
    expect(s.lines.filter((l) => l.includes('gateway_call_failed'))).toHaveLength(3)
  })

  it('waits with jittered exponential backoff between attempts, not before the first', async () => {
    const { inner } = fakeProvider([transient()])
    const s = surroundings({ maxAttempts: 4 })
    await resilient(inner, s.r).capture(CAPTURE)
    // random() = 0.5 of min(2000, 100 · 2^(attempt − 1)) for attempts 2, 3 and 4.
    expect(s.sleeps).toEqual([100, 200, 400])
  })

  it('answers the first success after transient failures, recording each failure and the success', async () => {
    const { inner, calls } = fakeProvider([transient(), transient(false), { status: 'succeeded', paymentId: 'pay_1' }])
    const s = surroundings({ maxAttempts: 5 })
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'succeeded', paymentId: 'pay_1' })
    expect(calls).toHaveLength(3)
    expect(s.recorded).toEqual(['failed', 'failed', 'ok'])
  })

  it('lets an error that is not transient (a bug) through at once, unretried', async () => {
    const { inner, calls } = fakeProvider([{ throws: new TypeError('bug in the adapter') }])
    const s = surroundings()
    await expect(resilient(inner, s.r).charge(AUTH)).rejects.toThrow('bug in the adapter')
    expect(calls).toHaveLength(1)
    expect(s.recorded).toEqual([])
  })
})

describe('resilient: declines', () => {
  it('answers a decline at once, never retried and never counted as a breaker failure', async () => {
    const { inner, calls } = fakeProvider([{ status: 'declined', code: 'insufficient_funds' }])
    const s = surroundings({ maxAttempts: 5 })
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'declined', code: 'insufficient_funds' })
    expect(calls).toEqual(['charge'])
    expect(s.recorded).not.toContain('failed')
    expect(s.sleeps).toEqual([])
  })
})

describe('resilient: the breaker', () => {
  it('answers unavailable without calling the provider when the breaker is open', async () => {
    const { inner, calls } = fakeProvider([{ status: 'succeeded', paymentId: 'pay_1' }])
    const s = surroundings({ allow: [false] })
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'unavailable', reason: 'circuit open' })
    expect(calls).toEqual([])
    expect(s.quotaAsked()).toBe(0)
    expect(s.recorded).toEqual([])
  })

  it('answers unknown when the breaker opens after an attempt already reached the provider', async () => {
    const { inner, calls } = fakeProvider([transient()])
    const s = surroundings({ allow: [true, false], maxAttempts: 3 })
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'unknown', reason: 'circuit open' })
    expect(calls).toHaveLength(1)
  })

  it('answers a retrieve refused by the breaker as unknown (a charge state has no unavailable)', async () => {
    const { inner, calls } = fakeProvider([{ status: 'captured', paymentId: 'pay_1' }])
    const s = surroundings({ allow: [false] })
    expect(await resilient(inner, s.r).retrieve(AUTH)).toEqual({ status: 'unknown', reason: 'circuit open' })
    expect(calls).toEqual([])
  })
})

describe('resilient: the provider’s rate limit', () => {
  it('tries again on the next attempt when the quota is spent, and answers what the provider then says', async () => {
    const { inner, calls } = fakeProvider([{ status: 'succeeded', paymentId: 'pay_1' }])
    const s = surroundings({ quota: [false, true], maxAttempts: 3 })
    expect(await resilient(inner, s.r).refund({ ...CAPTURE, key: 'ord_1:refund' })).toEqual({ status: 'succeeded', paymentId: 'pay_1' })
    expect(calls).toEqual(['refund'])
    expect(s.sleeps).toHaveLength(1)
  })

  it('answers unavailable, having called nothing, when the quota stays spent', async () => {
    const { inner, calls } = fakeProvider([{ status: 'succeeded', paymentId: 'pay_1' }])
    const s = surroundings({ quota: [false], maxAttempts: 3 })
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'unavailable', reason: 'provider rate limit' })
    expect(calls).toEqual([])
    expect(s.quotaAsked()).toBe(3)
    expect(s.recorded).toEqual([])
  })
})

describe('resilient: timeouts', () => {
  it('gives up on a call that never answers after timeoutMs, counts it as a failure and answers unknown', async () => {
    const { inner, calls } = fakeProvider(['hang'])
    const s = surroundings({ maxAttempts: 1, timeoutMs: 20 })
    const started = performance.now()
    expect(await resilient(inner, s.r).charge(AUTH)).toEqual({ status: 'unknown', reason: 'no answer within 20 ms' })
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(calls).toEqual(['charge'])
    expect(s.recorded).toEqual(['failed'])
  })

  it('retries after a timeout, with the same request, and answers the retry’s outcome', async () => {
    const { inner, calls } = fakeProvider(['hang', { status: 'succeeded', paymentId: 'pay_1' }])
    const s = surroundings({ maxAttempts: 2, timeoutMs: 20 })
    expect(await resilient(inner, s.r).capture(CAPTURE)).toEqual({ status: 'succeeded', paymentId: 'pay_1' })
    expect(calls).toEqual(['capture', 'capture'])
    expect(s.recorded).toEqual(['failed', 'ok'])
  })

  it('answers unknown for a retrieve that times out on every attempt', async () => {
    const { inner, calls } = fakeProvider(['hang'])
    const s = surroundings({ maxAttempts: 2, timeoutMs: 20 })
    expect(await resilient(inner, s.r).retrieve(AUTH)).toEqual({ status: 'unknown', reason: 'no answer within 20 ms' })
    expect(calls).toHaveLength(2)
  })
})

describe('resilient: card fingerprints', () => {
  it('asks once, outside the breaker and the quota, and answers the card', async () => {
    const { inner, calls } = fakeProvider([{ status: 'succeeded', paymentId: 'x' }])
    const s = surroundings({ allow: [false], quota: [false] })
    expect(await resilient(inner, s.r).fingerprint('pm_1')).toBe('fp_pm_1')
    expect(calls).toEqual(['fingerprint'])
    expect(s.recorded).toEqual([])
    expect(s.quotaAsked()).toBe(0)
  })

  it('answers null, once, when the provider fails or does not answer in time: a risk signal never fails a checkout', async () => {
    const failing = fakeProvider([{ throws: new TransientGatewayError('503', false) }])
    expect(await resilient(failing.inner, surroundings().r).fingerprint('pm_1')).toBeNull()
    const hanging = fakeProvider(['hang'])
    const s = surroundings({ timeoutMs: 20 })
    expect(await resilient(hanging.inner, s.r).fingerprint('pm_1')).toBeNull()
    expect(hanging.calls).toEqual(['fingerprint'])
    expect(s.lines.some((l) => l.includes('card_fingerprint_unknown'))).toBe(true)
  })
})

describe('resilient', () => {
  it('keeps the provider’s name', () => {
    expect(resilient(fakeProvider([]).inner, surroundings().r).provider).toBe('fake')
  })
})
