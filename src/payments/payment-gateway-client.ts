import type { Settings } from '../config'
import type { Logger } from '../core/logger'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import type { PaymentGateway } from './gateway'
import { BreakerView } from './breaker-view'
import { resilient, type Resilience } from './resilient-gateway-client'
import { sandboxGateway } from './sandbox-gateway-client'
import { stripeGateway } from './stripe-gateway-client'
import { tracedFetch } from '../platform/tracing'

/** The provider's breaker: one object per provider, shared by every isolate. */
export const breakerStub = (env: Env, provider: string) => env.CIRCUIT_BREAKER.get(env.CIRCUIT_BREAKER.idFromName(provider))

/** Each isolate's view of each provider's breaker (see BreakerView). */
const breakerViews = new Map<string, BreakerView>()

export function breakerOf(env: Env, provider: string): Resilience['breaker'] {
  let view = breakerViews.get(provider)
  if (!view) {
    view = new BreakerView(() => Date.now())
    breakerViews.set(provider, view)
  }
  const shared = breakerStub(env, provider)
  const v = view
  return { allow: (policy) => v.allow(shared, policy), record: (outcome, policy) => v.record(shared, outcome, policy) }
}

/** The configured provider's adapter, behind timeouts, retries, the shared breaker and the provider's rate limit. */
export function paymentGateway(env: Env, settings: Settings, log: Logger): PaymentGateway {
  const g = settings.gateway
  const inner = g.kind === 'stripe' ? stripeGateway({ apiBase: g.stripe.apiBase, secretKey: g.stripe.secretKey, fetch: tracedFetch((input, init) => fetch(input, init), 'stripe') }) : sandboxGateway(env)
  return resilient(inner, {
    timeoutMs: g.timeoutMs,
    maxAttempts: g.maxAttempts,
    breaker: breakerOf(env, inner.provider),
    breakerPolicy: g.breaker,
    quota: async () => (await consumeQuota(env, 'gateway', inner.provider, g.rateLimit)).allowed,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log,
  })
}
