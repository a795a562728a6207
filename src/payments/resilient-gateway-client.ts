import type { Logger } from '../core/logger'
import type { BreakerPolicy } from './circuit-breaker'
import { TransientGatewayError, type ChargeState, type GatewayOutcome, type PaymentGateway } from './gateway'

/**
 * Wraps a provider adapter with what every call to it needs: a timeout, retries of transient
 * failures with exponential backoff and full jitter (safe: every call carries an idempotency key),
 * a circuit breaker shared by all isolates, and a rate limit toward the provider. Declines are
 * answers, not failures: they are never retried and never trip the breaker.
 */
export type Resilience = {
  timeoutMs: number
  maxAttempts: number
  breaker: { allow(policy: BreakerPolicy): Promise<boolean>; record(outcome: 'ok' | 'failed', policy: BreakerPolicy): Promise<unknown> }
  breakerPolicy: BreakerPolicy
  /** Spends one unit of the provider's rate limit; false when it is spent. */
  quota(): Promise<boolean>
  sleep(ms: number): Promise<void>
  random(): number
  log: Logger
}

class GatewayTimeout extends Error {}

/** How long a checkout waits for a card's fingerprint before counting the payment method instead. */
const FINGERPRINT_TIMEOUT_MS = 1500

/**
 * One provider call under Resilience: `op` is tried up to `maxAttempts` times while it fails
 * transiently (a TransientGatewayError or the timeout); after that the answer is `unknown(reason)`
 * when anything was tried, `unavailable(reason)` when nothing was (breaker open, quota spent).
 * Any other error is thrown as it is. Shared by every provider client (payments, payouts).
 */
export function resilientCaller(provider: string, r: Resilience) {
  return async function call<T>(name: string, op: () => Promise<T>, unknown: (reason: string) => T, unavailable: (reason: string) => T): Promise<T> {
    let tried = false
    let reason = 'no attempt'
    for (let attempt = 1; attempt <= r.maxAttempts; attempt++) {
      if (attempt > 1) await r.sleep(Math.floor(r.random() * Math.min(2000, 100 * 2 ** (attempt - 1))))
      if (!(await r.breaker.allow(r.breakerPolicy))) {
        reason = 'circuit open'
        break
      }
      if (!(await r.quota())) {
        reason = 'provider rate limit'
        continue
      }
      tried = true
      try {
        const result = await withTimeout(op(), r.timeoutMs)
        await r.breaker.record('ok', r.breakerPolicy)
        return result
      } catch (err) {
        if (!(err instanceof TransientGatewayError) && !(err instanceof GatewayTimeout)) throw err
        reason = err.message
        r.log.warn('gateway_call_failed', { provider, call: name, attempt, reason })
        await r.breaker.record('failed', r.breakerPolicy)
      }
    }
    return tried ? unknown(reason) : unavailable(reason)
  }
}

export function resilient(inner: PaymentGateway, r: Resilience): PaymentGateway {
  const call = resilientCaller(inner.provider, r)

  const outcome = (name: string, op: () => Promise<GatewayOutcome>) =>
    call<GatewayOutcome>(name, op, (reason) => ({ status: 'unknown', reason }), (reason) => ({ status: 'unavailable', reason }))

  return {
    provider: inner.provider,
    charge: (req) => outcome('charge', () => inner.charge(req)),
    capture: (req) => outcome('capture', () => inner.capture(req)),
    refund: (req) => outcome('refund', () => inner.refund(req)),
    retrieve: (req) =>
      call<ChargeState>('retrieve', () => inner.retrieve(req), (reason) => ({ status: 'unknown', reason }), (reason) => ({ status: 'unknown', reason })),
    // A risk signal, not a money move: one try within a short bound, outside the breaker and the
    // provider's quota; without an answer, the risk engine counts the payment method instead.
    fingerprint: (paymentMethod) =>
      withTimeout(inner.fingerprint(paymentMethod), Math.min(r.timeoutMs, FINGERPRINT_TIMEOUT_MS)).catch((err: unknown) => {
        r.log.warn('card_fingerprint_unknown', { provider: inner.provider, err })
        return null
      }),
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayTimeout(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, deadline]).finally(() => {
    if (timer !== null) clearTimeout(timer)
  })
}
