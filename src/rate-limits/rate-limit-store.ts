import type { RateLimitVerdict } from './gcra'
import { leaseSize, QuotaLeases } from './quota-lease'
import type { RateLimitClass, RateLimitPolicy } from './rate-limit-policy'

/** What counters count: the request classes, and calls Souk makes to a payment or notification provider. */
export type QuotaClass = RateLimitClass | 'gateway' | 'notifier'

/** The counter object of one (class, subject). Subjects are already pseudonymous (no raw IPs). */
const counter = (env: Env, cls: QuotaClass, subject: string) =>
  env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${cls}:${subject}`))

/** This isolate's leases on large quotas (see QuotaLeases). */
const leases = new QuotaLeases()

/**
 * Spends one unit of a subject's quota. Large quotas are spent from a local lease when one is
 * live; otherwise the counter object decides, granting a lease where the quota is large enough.
 */
export async function consumeQuota(env: Env, cls: QuotaClass, subject: string, policy: RateLimitPolicy): Promise<RateLimitVerdict> {
  const size = leaseSize(policy)
  const stub = counter(env, cls, subject)
  if (size <= 1) return stub.consume(policy)
  const key = `${cls}:${subject}:${policy.limit}/${policy.windowSeconds}`
  for (let round = 0; round < 2; round++) {
    const local = leases.take(key, Date.now())
    if (local) return local
    // One lease request at a time per subject: the requests that missed together share it.
    await leases.single(key, async () => {
      const leased = await stub.consume(policy, size)
      if (leased.allowed) leases.keep(key, policy, size, leased, Date.now())
    })
  }
  return stub.consume(policy) // no lease to be had (the quota is nearly spent): ask for one unit
}

export const refundQuota = (env: Env, cls: RateLimitClass, subject: string, policy: RateLimitPolicy): Promise<void> =>
  counter(env, cls, subject).refund(policy)

export const resetQuota = (env: Env, cls: RateLimitClass, subject: string): Promise<void> => counter(env, cls, subject).reset()

/** One object per isolate answers the health ping, so probes from everywhere do not meet in one. */
let healthSubject: string | undefined // made on first use: workerd forbids randomness at module scope
export const pingCounters = (env: Env): Promise<'pong'> => counter(env, 'read', (healthSubject ??= `health:${crypto.randomUUID()}`)).ping()
