import type { RateLimitVerdict } from './gcra'
import type { RateLimitClass, RateLimitPolicy } from './rate-limit-policy'

/** The counter object of one (class, subject). Subjects are already pseudonymous (no raw IPs). */
const counter = (env: Env, cls: RateLimitClass, subject: string) =>
  env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${cls}:${subject}`))

export const consumeQuota = (env: Env, cls: RateLimitClass, subject: string, policy: RateLimitPolicy): Promise<RateLimitVerdict> =>
  counter(env, cls, subject).consume(policy)

export const refundQuota = (env: Env, cls: RateLimitClass, subject: string, policy: RateLimitPolicy): Promise<void> =>
  counter(env, cls, subject).refund(policy)

export const resetQuota = (env: Env, cls: RateLimitClass, subject: string): Promise<void> => counter(env, cls, subject).reset()

/** One object per isolate answers the health ping, so probes from everywhere do not meet in one. */
let healthSubject: string | undefined // made on first use: workerd forbids randomness at module scope
export const pingCounters = (env: Env): Promise<'pong'> => counter(env, 'read', (healthSubject ??= `health:${crypto.randomUUID()}`)).ping()
