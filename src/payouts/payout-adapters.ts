import { audit } from '../audit/audit-adapters'
import { settingsOf, type Settings } from '../config'
import type { Logger } from '../core/logger'
import { database } from '../db/client'
import { payoutAccountOf } from '../kyc/verification-store'
import { findPayout, markPayoutFailed, markPayoutPaid } from '../ledger/payout-store'
import { breakerOf } from '../payments/payment-gateway-client'
import { resilientCaller } from '../payments/resilient-gateway-client'
import { rootLogger, systemClock } from '../platform/runtime'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import { TransientGatewayError } from '../payments/gateway'
import type { PayoutProvider, TransferOutcome } from './payout-provider'
import type { PayoutJob } from './payout-job'
import type { PayoutPorts } from './payout-transfer'
import { sandboxPayouts } from './sandbox-payout-client'
import { stripeTransfers } from './stripe-transfer-client'

/**
 * The configured payout provider behind a timeout and its own circuit breaker (one object per
 * provider, as the payment gateway's), one attempt per job run: the job's queue retries are the
 * backoff. The sandbox pays only in development; elsewhere it answers `unavailable`.
 */
export function payoutProvider(env: Env, settings: Settings, log: Logger): PayoutProvider {
  const g = settings.gateway
  const inner: PayoutProvider =
    settings.payouts.kind === 'stripe'
      ? stripeTransfers({ apiBase: g.stripe.apiBase, secretKey: g.stripe.secretKey, fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) })
      : settings.environment === 'development'
        ? sandboxPayouts(env)
        : { provider: 'sandbox', transfer: () => Promise.reject(new TransientGatewayError('the sandbox payout provider runs only in development', false)) }
  const name = `${inner.provider}-payouts`
  const call = resilientCaller(name, {
    timeoutMs: g.timeoutMs,
    maxAttempts: 1,
    breaker: breakerOf(env, name),
    breakerPolicy: g.breaker,
    // Stripe's rate limit is per account: payouts spend the same quota as payments.
    quota: async () => (await consumeQuota(env, 'gateway', inner.provider, g.rateLimit)).allowed,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log,
  })
  return {
    provider: inner.provider,
    transfer: (req) =>
      call<TransferOutcome>('transfer', () => inner.transfer(req), (reason) => ({ status: 'unknown', reason }), (reason) => ({ status: 'unavailable', reason })),
  }
}

/** The payout ports wired to D1, the provider, the audit log and the clock. */
export function payoutPorts(env: Env, log: Logger = rootLogger(settingsOf(env).logLevel)): PayoutPorts {
  const db = database(env.DB)
  return {
    payouts: {
      find: (id) => findPayout(db, id),
      markPaid: (p, reference, at) => markPayoutPaid(db, p.id, reference, at),
      markFailed: (p, code, at) => markPayoutFailed(db, p, code, at),
      destinationOf: (sellerId) => payoutAccountOf(db, sellerId),
    },
    provider: payoutProvider(env, settingsOf(env), log),
    audit: (action, p, details) => audit(env, log, { actorId: 'system', action, subjectId: p.id, details: { sellerId: p.sellerId, amount: p.amount, currency: p.currency, ...details } }),
    now: systemClock,
    log,
  }
}

/** Queues the transfer of a payout just recorded (or one housekeeping finds still pending). */
export async function queuePayoutTransfer(env: Env, payoutId: string, delaySeconds = 0): Promise<void> {
  const job: PayoutJob = { kind: 'payout', payoutId }
  await env.JOBS.send(job, { contentType: 'json', delaySeconds })
}
