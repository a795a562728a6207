import { z } from 'zod'
import { MAX_CREDENTIAL_CACHE_MS } from './accounts/credential-cache'
import { jsonVar } from './core/json-var'
import { logLevels } from './core/logger'
import { notificationSettings, notificationSettingsProblems, notificationVars, type NotificationSettings } from './notifications/notification-settings'
import type { ListingRules } from './listings/listing-state'
import type { BreakerPolicy } from './payments/circuit-breaker'
import { defaultRiskRules } from './risk/default-rules'
import { MAX_RULES, RiskRule, ruleSetProblems } from './risk/risk-rules'
import { KEY_ID_PATTERN, parseKeyring, type Keyring } from './pii/pii-envelope'
import { defaultObjectives, SloObjectivesSchema, type SloObjective } from './ops/slo-objectives'
import { defaultAnomalySettings, type AnomalySettings } from './ops/anomaly-detector'
import { rateLimitPolicySchema, rateLimitsSchema, type RateLimitPolicy } from './rate-limits/rate-limit-policy'

/**
 * Runtime settings, parsed once per `env` from wrangler vars and secrets. A missing or malformed
 * setting fails loudly with the names of what is wrong (never the values), instead of the
 * service running on a guess.
 */
const hours = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const settingsSchema = z
  .object({
  ENVIRONMENT: z.enum(['production', 'development']),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  SESSION_TTL_HOURS: hours(1, 24 * 365).default(720),
  CREDENTIAL_CACHE_MS: z.coerce.number().int().min(0).max(MAX_CREDENTIAL_CACHE_MS).default(MAX_CREDENTIAL_CACHE_MS),
  IDEMPOTENCY_TTL_HOURS: hours(24, 24 * 30).default(24),
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(5).max(900).default(60),
  RATE_LIMITS: jsonVar(rateLimitsSchema),
  LIVE_SOCKETS_PER_IP: z.coerce.number().int().min(1).max(10_000).default(20),
  SOFT_CLOSE_MINUTES: z.coerce.number().min(0).max(60).default(2),
  AUCTION_MIN_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  OFFER_CHECKOUT_HOURS: z.coerce.number().min(0.25).max(168).default(24),
  AUCTION_PAYMENT_HOURS: z.coerce.number().min(1).max(240).default(48),
  CHECKOUT_HOLD_MINUTES: z.coerce.number().min(1).max(120).default(15),
  PAYMENT_BOUND_MINUTES: z.coerce.number().min(1).max(24 * 60).default(30),
  RECONCILE_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(1000),
  ORDER_AUTO_COMPLETE_HOURS: z.coerce.number().min(0.001).max(24 * 30).default(72),
  ORDER_DELIVERY_WINDOW_DAYS: z.coerce.number().min(1).max(90).default(14),
  CARRIER_STEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(3),
  GATEWAY: z.enum(['sandbox', 'stripe']).default('sandbox'),
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(8000),
  GATEWAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  STRIPE_API_BASE: z.url().default('https://api.stripe.com'),
  BREAKER: jsonVar(
    z.strictObject({
      minFailures: z.number().int().min(1),
      failureRate: z.number().gt(0).max(1),
      windowSeconds: z.number().int().min(1),
      cooldownSeconds: z.number().int().min(1),
    }),
  ).default({ minFailures: 100, failureRate: 0.35, windowSeconds: 300, cooldownSeconds: 120 }),
  GATEWAY_RATE_LIMIT: jsonVar(rateLimitPolicySchema).default({ limit: 100, windowSeconds: 1 }),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  IDENTITY_PROVIDER: z.enum(['sandbox', 'stripe']).default('sandbox'),
  IDENTITY_SANDBOX_SECONDS: z.coerce.number().int().min(0).max(3600).default(3),
  PAYOUT_PROVIDER: z.enum(['sandbox', 'stripe']).default('sandbox'),
  /** The rule set a deployment starts with, until staff save one (absent: src/risk/default-rules.ts). */
  RISK_RULES: jsonVar(
    z
      .array(RiskRule)
      .max(MAX_RULES)
      .superRefine((rules, ctx) => {
        for (const problem of ruleSetProblems(rules)) ctx.addIssue({ code: 'custom', message: problem })
      }),
  ).optional(),
  RISK_POLICY_TTL_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  WEBHOOK_RETRY_SCALE: z.coerce.number().gt(0).max(1).default(1),
  QUEUE_RETRY_SCALE: z.coerce.number().gt(0).max(1).default(1),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(1).max(24 * 30).default(120),
  ...notificationVars,
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters'),
  PSEUDONYM_KEY: z.string().min(32, 'must be at least 32 characters'),
  PII_KEYS: jsonVar(z.record(z.string(), z.string(), 'must be a JSON object of key id to base64 key')),
  PII_KEY_ID: z.string().regex(KEY_ID_PATTERN, 'must be 1 to 32 of A-Z a-z 0-9 _ -'),
  PII_INDEX_KEY: z.string().min(32, 'must be at least 32 characters'),
  BINDING_PROBE: z.enum(['on', 'off']).default('off'),
  METRICS_STORE: z.enum(['analytics-engine', 'local']).default('analytics-engine'),
  ANALYTICS_ACCOUNT_ID: z.string().default(''),
  ANALYTICS_API_TOKEN: z.string().optional(),
  /** The service level objectives (absent: src/ops/slo-objectives.ts defaultObjectives). */
  SLO_OBJECTIVES: jsonVar(SloObjectivesSchema).optional(),
  ALERT_EVALUATION_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
  PAGERDUTY_API_BASE: z.url().default('https://events.pagerduty.com'),
  /** A PagerDuty service's Events API v2 integration key (a secret); unset, alerts are kept and listed, not paged. */
  PAGERDUTY_ROUTING_KEY: z.string().min(1).optional(),
  ANOMALY_DETECTION: jsonVar(z.strictObject({ floor: z.number().gt(0).lt(1), minEvents: z.number().int().min(1).max(1_000_000), k: z.number().min(0).max(20) })).optional(),
  })
  .superRefine((v, ctx) => {
    for (const [path, message] of notificationSettingsProblems(v, v.ENVIRONMENT)) ctx.addIssue({ code: 'custom', path: [path], message })
    const keyring = parseKeyring(v.PII_KEYS, v.PII_KEY_ID)
    if (!keyring.ok) for (const message of keyring.problems) ctx.addIssue({ code: 'custom', path: ['PII_KEYS'], message })
    // The development keyring and index key are in the repository: production refuses them.
    if (v.ENVIRONMENT === 'production' && Object.keys(v.PII_KEYS).some((kid) => kid.startsWith('dev'))) ctx.addIssue({ code: 'custom', path: ['PII_KEYS'], message: 'development keys (ids starting with dev) are refused in production' })
    if (v.ENVIRONMENT === 'production' && v.PII_INDEX_KEY.startsWith('dev')) ctx.addIssue({ code: 'custom', path: ['PII_INDEX_KEY'], message: 'the development index key is refused in production' })
    if (v.ENVIRONMENT === 'production' && v.BINDING_PROBE === 'on') ctx.addIssue({ code: 'custom', path: ['BINDING_PROBE'], message: 'counting binding calls is for development only' })
    // Each Stripe product Souk uses needs the account's key; those whose answers arrive by webhook, its signing secret.
    const onStripe = [v.GATEWAY === 'stripe' && 'GATEWAY', v.IDENTITY_PROVIDER === 'stripe' && 'IDENTITY_PROVIDER', v.PAYOUT_PROVIDER === 'stripe' && 'PAYOUT_PROVIDER'].filter((n) => n !== false)
    const hearing = onStripe.filter((n) => n !== 'PAYOUT_PROVIDER')
    if (onStripe.length > 0 && !v.STRIPE_SECRET_KEY?.startsWith('sk_')) ctx.addIssue({ code: 'custom', path: ['STRIPE_SECRET_KEY'], message: `${onStripe.join(', ')}=stripe needs an sk_ key` })
    if (hearing.length > 0 && !v.STRIPE_WEBHOOK_SECRET?.startsWith('whsec_')) ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: `${hearing.join(', ')}=stripe needs a whsec_ secret` })
  })

export type Settings = {
  environment: 'production' | 'development'
  logLevel: z.infer<typeof settingsSchema>['LOG_LEVEL']
  sessionTtlMs: number
  /** How long an isolate trusts what an account said about a token: the bound on revocation reaching it. */
  credentialCacheMs: number
  idempotency: { ttlMs: number; leaseMs: number }
  rateLimits: z.infer<typeof rateLimitsSchema>
  /** Open sockets one address may hold on one listing's live channel (on each of its relays). */
  liveSocketsPerIp: number
  listingRules: ListingRules
  checkout: {
    holdMs: number
    paymentBoundMs: number
    reconcileDelaySeconds: number
    platformFeeBps: number
    autoCompleteMs: number
    /** After shipping, how long before the buyer may report the order not received. */
    deliveryWindowMs: number
    carrierStepSeconds: number
  }
  gateway: {
    kind: 'sandbox' | 'stripe'
    timeoutMs: number
    maxAttempts: number
    breaker: BreakerPolicy
    rateLimit: RateLimitPolicy
    stripe: { apiBase: string; secretKey: string; webhookSecret: string }
  }
  carrierWebhookSecret: string
  /**
   * Seller identity verification (src/kyc): Stripe Identity, or the sandbox (development only:
   * elsewhere it starts nothing), whose outcome arrives `sandboxSeconds` after the start.
   */
  identity: { kind: 'sandbox' | 'stripe'; sandboxSeconds: number }
  /** Payout transfers (src/payouts): Stripe Connect, or the sandbox (development only: elsewhere it pays nothing). */
  payouts: { kind: 'sandbox' | 'stripe' }
  /** The initial rules (until staff save their own) and how long an isolate trusts its copy of rules and blocklist. */
  risk: { initialRules: RiskRule[]; policyTtlMs: number }
  /** Multiplies every queue consumer's retry backoff (platform/queue-retry.ts). */
  queueRetryScale: number
  webhooks: { retryScale: number; timeoutMs: number; disableAfterMs: number }
  notifications: NotificationSettings
  /** Keys HMACs that pseudonymize personal data (IPs, e-mails) in counters and logs. */
  pseudonymKey: string
  /** Personal data at rest (pii/pii-adapters.ts): the AES-256-GCM keyring, and the key of the blind indexes. */
  pii: { keyring: Keyring; indexKey: string }
  /** Development only: count each request's binding calls (http/binding-probe.ts, GET /v1/dev/binding-counts). */
  bindingProbe: boolean
  /** Where metrics go and are read from (ops/metrics-adapters.ts), and the objectives judged on them (ops/slo-objectives.ts). */
  metrics: { store: 'analytics-engine' | 'local'; analytics: { accountId: string; apiToken: string }; objectives: SloObjective[] }
  /** How often alerts are evaluated, where they are paged (no routing key: nowhere), and the anomaly detector's thresholds (ops/alerts-object.ts). */
  alerts: { evaluationMs: number; pagerDuty: { apiBase: string; routingKey: string | null }; anomaly: AnomalySettings }
}

function piiKeyring(keys: Record<string, string>, currentKid: string): Keyring {
  const parsed = parseKeyring(keys, currentKid)
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((p) => `PII_KEYS: ${p}`)) // refined above; here for the type
  return parsed.keyring
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`)
    this.name = 'ConfigError'
  }
}

const cache = new WeakMap<object, Settings>()

/** Lets `copy` (the same bindings, wrapped: instrumented-env.ts) use the settings already parsed for `env`. */
export function shareSettings(env: object, copy: object): void {
  const settings = cache.get(env)
  if (settings) cache.set(copy, settings)
}

export function settingsOf(env: object): Settings {
  const cached = cache.get(env)
  if (cached) return cached
  const parsed = settingsSchema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`))
  }
  const v = parsed.data
  const settings: Settings = {
    environment: v.ENVIRONMENT,
    logLevel: v.LOG_LEVEL,
    sessionTtlMs: v.SESSION_TTL_HOURS * 3_600_000,
    credentialCacheMs: v.CREDENTIAL_CACHE_MS,
    idempotency: { ttlMs: v.IDEMPOTENCY_TTL_HOURS * 3_600_000, leaseMs: v.IDEMPOTENCY_LEASE_SECONDS * 1000 },
    rateLimits: v.RATE_LIMITS,
    liveSocketsPerIp: v.LIVE_SOCKETS_PER_IP,
    listingRules: {
      softCloseMs: v.SOFT_CLOSE_MINUTES * 60_000,
      minAuctionMs: v.AUCTION_MIN_SECONDS * 1000,
      maxAuctionMs: 30 * 86_400_000,
      offerTtlMs: 48 * 3_600_000, // eBay's rule; a contract, not a setting
      offerCheckoutMs: v.OFFER_CHECKOUT_HOURS * 3_600_000,
      auctionPaymentMs: v.AUCTION_PAYMENT_HOURS * 3_600_000,
    },
    checkout: {
      holdMs: v.CHECKOUT_HOLD_MINUTES * 60_000,
      paymentBoundMs: v.PAYMENT_BOUND_MINUTES * 60_000,
      reconcileDelaySeconds: v.RECONCILE_DELAY_SECONDS,
      platformFeeBps: v.PLATFORM_FEE_BPS,
      autoCompleteMs: v.ORDER_AUTO_COMPLETE_HOURS * 3_600_000,
      deliveryWindowMs: v.ORDER_DELIVERY_WINDOW_DAYS * 86_400_000,
      carrierStepSeconds: v.CARRIER_STEP_SECONDS,
    },
    gateway: {
      kind: v.GATEWAY,
      timeoutMs: v.GATEWAY_TIMEOUT_MS,
      maxAttempts: v.GATEWAY_MAX_ATTEMPTS,
      breaker: {
        minFailures: v.BREAKER.minFailures,
        failureRate: v.BREAKER.failureRate,
        windowMs: v.BREAKER.windowSeconds * 1000,
        cooldownMs: v.BREAKER.cooldownSeconds * 1000,
      },
      rateLimit: v.GATEWAY_RATE_LIMIT,
      stripe: { apiBase: v.STRIPE_API_BASE, secretKey: v.STRIPE_SECRET_KEY ?? '', webhookSecret: v.STRIPE_WEBHOOK_SECRET ?? '' },
    },
    carrierWebhookSecret: v.CARRIER_WEBHOOK_SECRET,
    identity: { kind: v.IDENTITY_PROVIDER, sandboxSeconds: v.IDENTITY_SANDBOX_SECONDS },
    payouts: { kind: v.PAYOUT_PROVIDER },
    risk: { initialRules: v.RISK_RULES ?? defaultRiskRules, policyTtlMs: v.RISK_POLICY_TTL_SECONDS * 1000 },
    notifications: notificationSettings(v),
    queueRetryScale: v.QUEUE_RETRY_SCALE,
    webhooks: { retryScale: v.WEBHOOK_RETRY_SCALE, timeoutMs: v.WEBHOOK_TIMEOUT_MS, disableAfterMs: v.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000 },
    pseudonymKey: v.PSEUDONYM_KEY,
    pii: { keyring: piiKeyring(v.PII_KEYS, v.PII_KEY_ID), indexKey: v.PII_INDEX_KEY },
    bindingProbe: v.BINDING_PROBE === 'on',
    metrics: { store: v.METRICS_STORE, analytics: { accountId: v.ANALYTICS_ACCOUNT_ID, apiToken: v.ANALYTICS_API_TOKEN ?? '' }, objectives: v.SLO_OBJECTIVES ?? defaultObjectives },
    alerts: {
      evaluationMs: v.ALERT_EVALUATION_SECONDS * 1000,
      pagerDuty: { apiBase: v.PAGERDUTY_API_BASE, routingKey: v.PAGERDUTY_ROUTING_KEY ?? null },
      anomaly: { ...defaultAnomalySettings, ...v.ANOMALY_DETECTION },
    },
  }
  cache.set(env, settings)
  return settings
}
