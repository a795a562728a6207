import type { Settings } from '../config'
import type { Logger } from '../core/logger'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import type { PaymentGateway } from './gateway'
import { resilient } from './resilient-gateway-client'
import { sandboxGateway } from './sandbox-gateway-client'
import { stripeGateway } from './stripe-gateway-client'

/** The provider's breaker: one object per provider, shared by every isolate. */
export const breakerStub = (env: Env, provider: string) => env.CIRCUIT_BREAKER.get(env.CIRCUIT_BREAKER.idFromName(provider))

/** The configured provider's adapter, behind timeouts, retries, the shared breaker and the provider's rate limit. */
export function paymentGateway(env: Env, settings: Settings, log: Logger): PaymentGateway {
  const g = settings.gateway
  const inner = g.kind === 'stripe' ? stripeGateway({ apiBase: g.stripe.apiBase, secretKey: g.stripe.secretKey, fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) }) : sandboxGateway(env)
  return resilient(inner, {
    timeoutMs: g.timeoutMs,
    maxAttempts: g.maxAttempts,
    breaker: breakerStub(env, inner.provider),
    breakerPolicy: g.breaker,
    quota: async () => (await consumeQuota(env, 'gateway', inner.provider, g.rateLimit)).allowed,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log,
  })
}
