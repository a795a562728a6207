import type { Context } from 'hono'
import { accountStub } from '../accounts/account-adapters'
import type { Settings } from '../config'
import { idTime } from '../core/ids'
import type { Logger } from '../core/logger'
import { pseudonym } from '../core/pseudonym'
import type { AppEnv } from '../env'
import type { PaymentGateway } from '../payments/gateway'
import { clientIp } from '../http/client-ip'
import { checkoutSignals } from './checkout-signals'
import { stickyVerdict } from './sticky-verdict'
import type { RequestOrigin, RiskEngine } from './risk-engine'
import { livePolicy } from './risk-policy-adapters'
import { listingSignals, payoutSignals, registrationSignals } from './action-signals'
import type { RiskFlagJob } from './risk-flag-job'
import { decide, reasonsOf, type RiskRule } from './risk-rules'
import type { AnySignals } from './risk-signals'
import { riskSignalsStub } from './risk-signals-object'
import type { SignalCounts, SignalEvent } from './signal-log'

/** X-Device-Id: an opaque id the client keeps per install; longer values are cut, not refused. */
const DEVICE_HEADER = 'x-device-id'

/**
 * The request's origin as risk signals key it: pseudonyms of the address and the device (never
 * the values), and the address's country from the edge. A loopback or unknown address is no
 * signal: locally every request comes from one machine.
 */
export async function requestOrigin(c: Context<AppEnv>): Promise<RequestOrigin> {
  const key = c.var.settings.pseudonymKey
  const ip = clientIp(c)
  const device = c.req.header(DEVICE_HEADER)?.slice(0, 200)
  const cf = (c.req.raw as Request & { cf?: { country?: unknown } }).cf
  return {
    ip: ip === 'unknown' || isLoopback(ip) ? null : `ip:${await pseudonym(key, 'ip', ip)}`,
    device: device ? `device:${await pseudonym(key, 'device', device)}` : null,
    country: typeof cf?.country === 'string' && /^[A-Z]{2}$/.test(cf.country) ? cf.country : null,
  }
}

const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.') || ip === '::ffff:127.0.0.1'

/** Records an event on a signal shard and answers its counts; null when there is no such origin. */
export const observe = (env: Env, subject: string | null, event: SignalEvent, nowMs: number) => (subject ? riskSignalsStub(env, subject).observe(event, nowMs) : Promise.resolve(null))

/**
 * The checkout's risk engine: the buyer's account (authority, own history) and the shards of the
 * address, device and card, asked side by side, so the assessment costs one round trip of latency;
 * the rules come from the isolate's copy of the policy and are judged here, in process.
 */
export function checkoutRisk(env: Env, settings: Settings, log: Logger, now: () => Date, gateway: Pick<PaymentGateway, 'fingerprint'>): RiskEngine {
  return {
    admitBuyer: (buyerId, credentialHash) => accountStub(env, buyerId).admitBuyer(credentialHash),
    async assessCheckout(i) {
      const nowMs = now().getTime()
      const key = settings.pseudonymKey
      const paymentMethod = `pm:${await pseudonym(key, 'payment-method', i.paymentMethod)}`
      const event: SignalEvent = { kind: 'checkout', id: i.orderId, subject: i.buyerId }
      // The card's shard is keyed by the card (the provider's fingerprint, asked beside the rest;
      // the payment method when it cannot say), so one card typed in by many accounts is one card.
      const cardCounts = gateway.fingerprint(i.paymentMethod).then(async (fingerprint) =>
        observe(env, `card:${await pseudonym(key, 'card', fingerprint ?? i.paymentMethod)}`, event, nowMs),
      )
      const [entry, ip, device, card, policy] = await Promise.all([
        accountStub(env, i.buyerId).admitCheckout({ orderId: i.orderId, credentialHash: i.credentialHash, amount: i.amount, card: paymentMethod }),
        observe(env, i.origin.ip, event, nowMs),
        observe(env, i.origin.device, event, nowMs),
        cardCounts,
        livePolicy(env, settings, log, nowMs),
      ])
      if (entry.kind === 'refused') return entry
      const signals = checkoutSignals({
        amount: i.amount,
        accountCreatedMs: idTime(i.buyerId),
        nowMs,
        buyer: entry.buyer,
        hasSecondFactor: entry.hasSecondFactor,
        ip,
        device,
        card,
        shippingCountry: i.shippingCountry,
        ipCountry: i.origin.country,
      })
      const { decision, note } = stickyVerdict(entry.prior, () => ({
        ...decide(policy.rules, 'checkout', signals, { steppedUp: i.steppedUp, canStepUp: entry.hasSecondFactor }),
        score: signals.anomaly_score,
      }))
      // Rare (a verdict other than allow): one more call, so a retry of this order gets the same verdict.
      if (note) await accountStub(env, i.buyerId).noteVerdict(i.orderId, decision)
      return { kind: 'assessed', assessment: decision }
    },
  }
}

/** A decision on an action that has no challenge step: `challenge` rules there act as review. */
export type ActionDecision = { verdict: 'allow' | 'review' | 'block'; reasons: string[] }

type ActionCounts = { user: SignalCounts | null; ip: SignalCounts | null; device: SignalCounts | null }

/**
 * Payouts, listing creation and registration: the acting account's shard and the origin's shards
 * count the act side by side (one round trip of latency), and the rules judge it in process.
 */
async function assessAction(
  env: Env,
  settings: Settings,
  log: Logger,
  a: { action: 'payout' | 'listing' | 'registration'; event: SignalEvent; userId: string | null; origin: RequestOrigin; nowMs: number },
  signalsOf: (counts: ActionCounts) => AnySignals,
): Promise<ActionDecision> {
  const [user, ip, device, policy] = await Promise.all([
    observe(env, a.userId ? `user:${a.userId}` : null, a.event, a.nowMs),
    observe(env, a.origin.ip, a.event, a.nowMs),
    observe(env, a.origin.device, a.event, a.nowMs),
    livePolicy(env, settings, log, a.nowMs),
  ])
  const decision = decide(policy.rules, a.action, signalsOf({ user, ip, device }), { steppedUp: false, canStepUp: false })
  return { verdict: decision.verdict === 'challenge' ? 'review' : decision.verdict, reasons: reasonsOf(decision) }
}

export function assessPayout(env: Env, settings: Settings, log: Logger, p: { payoutId: string; userId: string; amount: number; origin: RequestOrigin; nowMs: number }) {
  const event: SignalEvent = { kind: 'payout', id: p.payoutId, subject: p.userId }
  return assessAction(env, settings, log, { action: 'payout', event, userId: p.userId, origin: p.origin, nowMs: p.nowMs }, (c) =>
    payoutSignals({ ...c, amount: p.amount, accountCreatedMs: idTime(p.userId), nowMs: p.nowMs }),
  )
}

export function assessListing(env: Env, settings: Settings, log: Logger, l: { listingId: string; userId: string; price: number; origin: RequestOrigin; nowMs: number }) {
  const event: SignalEvent = { kind: 'listing', id: l.listingId, subject: l.userId }
  return assessAction(env, settings, log, { action: 'listing', event, userId: l.userId, origin: l.origin, nowMs: l.nowMs }, (c) =>
    listingSignals({ ...c, price: l.price, accountCreatedMs: idTime(l.userId), nowMs: l.nowMs }),
  )
}

/** `attemptId`: the id the account will have (minted by the route, never taken from the client). */
export function assessRegistration(env: Env, settings: Settings, log: Logger, r: { attemptId: string; origin: RequestOrigin; nowMs: number }) {
  const event: SignalEvent = { kind: 'registration', id: r.attemptId, subject: r.attemptId }
  return assessAction(env, settings, log, { action: 'registration', event, userId: null, origin: r.origin, nowMs: r.nowMs }, registrationSignals)
}

/** The bid rules in force, for the listing object to judge a bid by (it knows where the seller listed from). */
export async function bidRules(env: Env, settings: Settings, log: Logger, nowMs: number): Promise<RiskRule[]> {
  return (await livePolicy(env, settings, log, nowMs)).rules.filter((r) => r.action === 'bid' && r.enabled)
}

/**
 * Puts something that went ahead in the review queue: a message to the jobs queue, whose consumer
 * writes it (so a bid still touches no D1). A lost flag is logged, never fails the act.
 */
export async function flagForReview(env: Env, log: Logger, review: RiskFlagJob['review']): Promise<void> {
  try {
    await env.JOBS.send({ kind: 'risk_flag', review } satisfies RiskFlagJob, { contentType: 'json' })
  } catch (err) {
    log.error('risk_flag_lost', { reviewId: review.id, kind: review.kind, subjectId: review.subjectId, err })
  }
}
