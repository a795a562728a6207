import { accountStub } from '../accounts/account-adapters'
import type { RateLimitVerdict } from './gcra'
import { leaseSize, QuotaLeases } from './quota-lease'
import type { RateLimitClass, RateLimitPolicy } from './rate-limit-policy'

/** What counters count: the request classes, and calls Souk makes to a payment or notification provider. */
export type QuotaClass = RateLimitClass | 'gateway' | 'notifier'

/** Subjects that are users (`usr:<id>`) count in the user's own account object; the rest (IP pseudonyms, providers) in counter objects. */
const USER_SUBJECT = 'usr:'

type Counter = {
  consume(policy: RateLimitPolicy, cost?: number): Promise<RateLimitVerdict>
  refund(policy: RateLimitPolicy): Promise<void>
  reset(): Promise<void>
}

/** The counter of one (class, subject). Subjects are already pseudonymous (no raw IPs). */
function counter(env: Env, cls: QuotaClass, subject: string): Counter {
  if (subject.startsWith(USER_SUBJECT)) {
    const account = accountStub(env, subject.slice(USER_SUBJECT.length))
    return {
      consume: (policy, cost) => account.consume(cls, policy, cost),
      refund: (policy) => account.refund(cls, policy),
      reset: () => account.reset(cls),
    }
  }
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${cls}:${subject}`))
  return { consume: (policy, cost) => stub.consume(policy, cost), refund: (policy) => stub.refund(policy), reset: () => stub.reset() }
}

/** This isolate's leases on quotas (see QuotaLeases). */
const leases = new QuotaLeases()
const leaseKey = (cls: QuotaClass, subject: string, policy: RateLimitPolicy) => `${cls}:${subject}:${policy.limit}/${policy.windowSeconds}`

/** How many units to ask for when a request goes to the counter anyway (authentication asks for them). */
export const unitsToLease = leaseSize

/**
 * Keeps units granted elsewhere (the account object, while it authenticated the request) as this
 * isolate's lease, so the rate-limit step that follows spends them without another round trip.
 */
export function keepLease(cls: QuotaClass, subject: string, policy: RateLimitPolicy, units: number, verdict: RateLimitVerdict): void {
  if (verdict.allowed) leases.keep(leaseKey(cls, subject, policy), policy, units, verdict, Date.now())
}

/** How long a miss waits for a lease another request of its isolate is fetching, and how often it looks. */
export type LeaseWait = { maxMs: number; everyMs: number }
const LEASE_WAIT: LeaseWait = { maxMs: 25, everyMs: 2 }

/**
 * Spends one unit of a subject's quota. A live lease is spent locally; otherwise the counter
 * decides, granting a lease where the quota is large enough (small quotas stay exact).
 */
export async function consumeQuota(env: Env, cls: QuotaClass, subject: string, policy: RateLimitPolicy, wait: LeaseWait = LEASE_WAIT): Promise<RateLimitVerdict> {
  const size = leaseSize(policy)
  const key = leaseKey(cls, subject, policy)
  const local = leases.take(key, Date.now())
  if (local) return local
  const stub = counter(env, cls, subject)
  if (size <= 1) return stub.consume(policy) // small quotas stay exact
  const giveUpAt = Date.now() + wait.maxMs
  let claim: number | undefined
  while ((claim = leases.claimRequest(key, Date.now())) === undefined) {
    // Another request of this isolate is asking for the lease: look again shortly, on this
    // request's own timer, and spend a unit of its own if the lease is slow to come.
    if (Date.now() >= giveUpAt) return stub.consume(policy)
    await new Promise((resolve) => setTimeout(resolve, wait.everyMs))
    const granted = leases.take(key, Date.now())
    if (granted) return granted
  }
  try {
    keepLease(cls, subject, policy, size, await stub.consume(policy, size))
  } finally {
    leases.endRequest(key, claim)
  }
  return leases.take(key, Date.now()) ?? stub.consume(policy) // no lease to be had (the quota is nearly spent): one unit
}

export const refundQuota = (env: Env, cls: RateLimitClass, subject: string, policy: RateLimitPolicy): Promise<void> => counter(env, cls, subject).refund(policy)

export const resetQuota = (env: Env, cls: RateLimitClass, subject: string): Promise<void> => counter(env, cls, subject).reset()

/** One object per isolate answers the health ping, so probes from everywhere do not meet in one. */
let healthSubject: string | undefined // made on first use: workerd forbids randomness at module scope
export const pingCounters = (env: Env): Promise<'pong'> => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`read:${(healthSubject ??= `health:${crypto.randomUUID()}`)}`)).ping()
