import { defaultRiskRules } from '../../src/risk/default-rules'
import { defaultObjectives } from '../../src/ops/slo-objectives'
import { defaultAnomalySettings } from '../../src/ops/anomaly-detector'
import { describe, expect, it } from 'vitest'
import { ConfigError, settingsOf } from '../../src/config'

const KEY = 'pseudonym-key-0123456789abcdef-xyz' // 34 characters
const CARRIER_SECRET = 'carrier-secret-0123456789' // 25 characters
const STRIPE_KEY = 'sk_live_0123456789abcdefghijkl'
const STRIPE_WHSEC = 'whsec_0123456789abcdefghijkl'
const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef'
const TWILIO_TOKEN = 'twilio-auth-token-0123456789'
// A real pair, as scripts/vapid-keys.ts prints it.
const VAPID_PUBLIC = 'BDwCRGTjtEEMzo69tsqdLfxWQj9Fro2kyIDk8A1YIYTSmvG3MuKYosR_r8OWwX2GI6gWGfsXNtzYrylo6kt1__M'
const VAPID_PRIVATE = '1j4Gm8mYr-17m7S_ShH-Q0QAg_bFLlZl4icdE6edEcw'
// Personal data at rest: a keyring of two keys (k2 current) and the blind index key.
const PII_K1 = Buffer.alloc(32, 1).toString('base64')
const PII_K2 = Buffer.alloc(32, 2).toString('base64')
const PII_INDEX = 'pii-index-key-0123456789abcdef-0123'
const PII = { PII_KEYS: JSON.stringify({ k1: PII_K1, k2: PII_K2 }), PII_KEY_ID: 'k2', PII_INDEX_KEY: PII_INDEX }
const SLO = { id: 'bids_fast', description: 'Bids within 100 ms', target: 0.95, periodDays: 7, indicator: { kind: 'route', names: ['POST /v1/listings/:id/bids'], sli: 'latency', thresholdMs: 100 } }
const RATE_LIMITS = {
  read: { limit: 300, windowSeconds: 60 },
  write: { limit: 60, windowSeconds: 60 },
  auth: { limit: 10, windowSeconds: 60 },
  loginFailuresPerAccountAndIp: { limit: 5, windowSeconds: 900 },
  loginFailuresPerIp: { limit: 20, windowSeconds: 900 },
}

/** The smallest env that parses: everything else has a default (the sandbox gateway needs no keys). */
const minimal = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ENVIRONMENT: 'production',
  RATE_LIMITS,
  PSEUDONYM_KEY: KEY,
  CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
  ...PII,
  ...over,
})

/**
 * What wrangler.toml gives a deployed worker: string vars, JSON vars as objects, bindings beside
 * them, and the secrets (`wrangler secret put`). Values differ from the defaults, so a setting
 * that is not read shows.
 */
const production = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ENVIRONMENT: 'production',
  LOG_LEVEL: 'warn',
  SESSION_TTL_HOURS: '720',
  IDEMPOTENCY_TTL_HOURS: '48',
  IDEMPOTENCY_LEASE_SECONDS: '90',
  RATE_LIMITS,
  SOFT_CLOSE_MINUTES: '3',
  AUCTION_MIN_SECONDS: '600',
  OFFER_CHECKOUT_HOURS: '12',
  AUCTION_PAYMENT_HOURS: '72',
  CHECKOUT_HOLD_MINUTES: '20',
  PAYMENT_BOUND_MINUTES: '45',
  RECONCILE_DELAY_SECONDS: '40',
  PLATFORM_FEE_BPS: '1250',
  ORDER_AUTO_COMPLETE_HOURS: '96',
  CARRIER_STEP_SECONDS: '5',
  GATEWAY: 'stripe',
  GATEWAY_TIMEOUT_MS: '9000',
  GATEWAY_MAX_ATTEMPTS: '4',
  STRIPE_API_BASE: 'https://stripe.example.test',
  IDENTITY_PROVIDER: 'stripe',
  IDENTITY_SANDBOX_SECONDS: '7',
  PAYOUT_PROVIDER: 'stripe',
  BREAKER: { minFailures: 50, failureRate: 0.5, windowSeconds: 600, cooldownSeconds: 90 },
  GATEWAY_RATE_LIMIT: { limit: 80, windowSeconds: 2 },
  RISK_RULES: [{ id: 'big', action: 'checkout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 50_000 }], any: [], reason: 'a big order', enabled: true }],
  RISK_POLICY_TTL_SECONDS: '7',
  WEBHOOK_RETRY_SCALE: '0.5',
  QUEUE_RETRY_SCALE: '0.25',
  WEBHOOK_TIMEOUT_MS: '7000',
  WEBHOOK_DISABLE_AFTER_HOURS: '48',
  NOTIFICATION_DELIVERY: 'providers',
  EMAIL_FROM: 'Souk <hello@souk.example>',
  RESEND_API_KEY: 're_test_key',
  TWILIO_ACCOUNT_SID: TWILIO_SID,
  TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  SMS_FROM: '+15005550006',
  VAPID_PUBLIC_KEY: VAPID_PUBLIC,
  VAPID_PRIVATE_KEY: VAPID_PRIVATE,
  VAPID_SUBJECT: 'mailto:ops@souk.example',
  NOTIFICATION_RATE_LIMITS: { email: { limit: 5, windowSeconds: 1 }, sms: { limit: 3, windowSeconds: 2 }, push: { limit: 50, windowSeconds: 1 } },
  STRIPE_SECRET_KEY: STRIPE_KEY,
  STRIPE_WEBHOOK_SECRET: STRIPE_WHSEC,
  CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
  PSEUDONYM_KEY: KEY,
  ...PII,
  METRICS_STORE: 'local',
  ANALYTICS_ACCOUNT_ID: 'acc0123',
  ANALYTICS_API_TOKEN: 'cf-token',
  SLO_OBJECTIVES: JSON.stringify([SLO]),
  ALERT_EVALUATION_SECONDS: '30',
  PAGERDUTY_API_BASE: 'https://events.eu.pagerduty.com',
  PAGERDUTY_ROUTING_KEY: 'pd-routing-key',
  ANOMALY_DETECTION: { floor: 0.3, minEvents: 50, k: 4 },
  DB: { binding: 'not a setting' },
  ...over,
})

function configError(env: object): ConfigError {
  try {
    settingsOf(env)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected settingsOf to throw a ConfigError')
}

describe('settingsOf', () => {
  it('parses a production-like env, converting hours and seconds to milliseconds', () => {
    expect(settingsOf(production())).toEqual({
      environment: 'production',
      logLevel: 'warn',
      sessionTtlMs: 720 * 3_600_000,
      credentialCacheMs: 1000,
      idempotency: { ttlMs: 48 * 3_600_000, leaseMs: 90_000 },
      rateLimits: RATE_LIMITS,
      liveSocketsPerIp: 20,
      listingRules: {
        softCloseMs: 3 * 60_000,
        minAuctionMs: 600_000,
        maxAuctionMs: 30 * 86_400_000,
        offerTtlMs: 48 * 3_600_000,
        offerCheckoutMs: 12 * 3_600_000,
        auctionPaymentMs: 72 * 3_600_000,
      },
      checkout: {
        holdMs: 20 * 60_000,
        paymentBoundMs: 45 * 60_000,
        reconcileDelaySeconds: 40,
        platformFeeBps: 1250,
        autoCompleteMs: 96 * 3_600_000,
        deliveryWindowMs: 14 * 86_400_000,
        carrierStepSeconds: 5,
      },
      gateway: {
        kind: 'stripe',
        timeoutMs: 9000,
        maxAttempts: 4,
        breaker: { minFailures: 50, failureRate: 0.5, windowMs: 600_000, cooldownMs: 90_000 },
        rateLimit: { limit: 80, windowSeconds: 2 },
        stripe: { apiBase: 'https://stripe.example.test', secretKey: STRIPE_KEY, webhookSecret: STRIPE_WHSEC },
      },
      carrierWebhookSecret: CARRIER_SECRET,
      identity: { kind: 'stripe', sandboxSeconds: 7 },
      payouts: { kind: 'stripe' },
      risk: { initialRules: [{ id: 'big', action: 'checkout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 50_000 }], any: [], reason: 'a big order', enabled: true }], policyTtlMs: 7_000 },
      queueRetryScale: 0.25,
      webhooks: { retryScale: 0.5, timeoutMs: 7000, disableAfterMs: 48 * 3_600_000 },
      notifications: {
        delivery: 'providers',
        email: { from: 'Souk <hello@souk.example>', apiBase: 'https://api.resend.com', apiKey: 're_test_key' },
        sms: { apiBase: 'https://api.twilio.com', accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: '+15005550006' },
        push: { publicKey: VAPID_PUBLIC, privateKey: VAPID_PRIVATE, subject: 'mailto:ops@souk.example' },
        rateLimits: { email: { limit: 5, windowSeconds: 1 }, sms: { limit: 3, windowSeconds: 2 }, push: { limit: 50, windowSeconds: 1 } },
      },
      pseudonymKey: KEY,
      pii: { keyring: { currentKid: 'k2', keys: new Map([['k1', new Uint8Array(32).fill(1)], ['k2', new Uint8Array(32).fill(2)]]) }, indexKey: PII_INDEX },
      bindingProbe: false,
      metrics: { store: 'local', analytics: { accountId: 'acc0123', apiToken: 'cf-token' }, objectives: [SLO] },
      alerts: { evaluationMs: 30_000, pagerDuty: { apiBase: 'https://events.eu.pagerduty.com', routingKey: 'pd-routing-key' }, anomaly: { ...defaultAnomalySettings, floor: 0.3, minEvents: 50, k: 4 } },
    })
  })

  it('parses a development-like env whose JSON vars arrive as JSON strings (wrangler --var)', () => {
    const settings = settingsOf(
      minimal({
        ENVIRONMENT: 'development',
        RATE_LIMITS: JSON.stringify(RATE_LIMITS),
        BREAKER: JSON.stringify({ minFailures: 3, failureRate: 0.25, windowSeconds: 10, cooldownSeconds: 2 }),
        GATEWAY_RATE_LIMIT: JSON.stringify({ limit: 7, windowSeconds: 3 }),
        RISK_RULES: JSON.stringify([{ id: 'big', action: 'checkout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 50_000 }], any: [], reason: 'a big order', enabled: true }]),
        NOTIFICATION_DELIVERY: 'outbox',
        NOTIFICATION_RATE_LIMITS: JSON.stringify({ email: { limit: 9, windowSeconds: 1 }, sms: { limit: 1, windowSeconds: 1 }, push: { limit: 1, windowSeconds: 1 } }),
      }),
    )
    expect(settings.notifications).toMatchObject({ delivery: 'outbox', rateLimits: { email: { limit: 9, windowSeconds: 1 } } })
    expect(settings.environment).toBe('development')
    expect(settings.rateLimits).toEqual(RATE_LIMITS)
    expect(settings.gateway.breaker).toEqual({ minFailures: 3, failureRate: 0.25, windowMs: 10_000, cooldownMs: 2_000 })
    expect(settings.gateway.rateLimit).toEqual({ limit: 7, windowSeconds: 3 })
    expect(settings.risk.initialRules).toEqual([{ id: 'big', action: 'checkout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 50_000 }], any: [], reason: 'a big order', enabled: true }])
  })

  it('applies the defaults for what is not set', () => {
    expect(settingsOf(minimal())).toEqual({
      environment: 'production',
      logLevel: 'info',
      sessionTtlMs: 720 * 3_600_000,
      credentialCacheMs: 1000,
      idempotency: { ttlMs: 24 * 3_600_000, leaseMs: 60_000 },
      rateLimits: RATE_LIMITS,
      liveSocketsPerIp: 20,
      listingRules: {
        softCloseMs: 2 * 60_000,
        minAuctionMs: 3_600_000,
        maxAuctionMs: 30 * 86_400_000,
        offerTtlMs: 48 * 3_600_000,
        offerCheckoutMs: 24 * 3_600_000,
        auctionPaymentMs: 48 * 3_600_000,
      },
      checkout: {
        holdMs: 15 * 60_000,
        paymentBoundMs: 30 * 60_000,
        reconcileDelaySeconds: 30,
        platformFeeBps: 1000,
        autoCompleteMs: 72 * 3_600_000,
        deliveryWindowMs: 14 * 86_400_000,
        carrierStepSeconds: 3,
      },
      gateway: {
        kind: 'sandbox',
        timeoutMs: 8000,
        maxAttempts: 3,
        breaker: { minFailures: 100, failureRate: 0.35, windowMs: 300_000, cooldownMs: 120_000 },
        rateLimit: { limit: 100, windowSeconds: 1 },
        // The sandbox needs no Stripe keys: empty, never undefined.
        stripe: { apiBase: 'https://api.stripe.com', secretKey: '', webhookSecret: '' },
      },
      carrierWebhookSecret: CARRIER_SECRET,
      identity: { kind: 'sandbox', sandboxSeconds: 3 },
      payouts: { kind: 'sandbox' },
      risk: { initialRules: defaultRiskRules, policyTtlMs: 5_000 },
      queueRetryScale: 1,
      webhooks: { retryScale: 1, timeoutMs: 10_000, disableAfterMs: 120 * 3_600_000 },
      // No provider configured: no channel but in-app is offered.
      notifications: {
        delivery: 'providers',
        email: null,
        sms: null,
        push: null,
        rateLimits: { email: { limit: 2, windowSeconds: 1 }, sms: { limit: 1, windowSeconds: 1 }, push: { limit: 100, windowSeconds: 1 } },
      },
      pseudonymKey: KEY,
      pii: { keyring: { currentKid: 'k2', keys: new Map([['k1', new Uint8Array(32).fill(1)], ['k2', new Uint8Array(32).fill(2)]]) }, indexKey: PII_INDEX },
      bindingProbe: false,
      metrics: { store: 'analytics-engine', analytics: { accountId: '', apiToken: '' }, objectives: defaultObjectives },
      // No routing key: alerts are kept and listed, nobody is paged.
      alerts: { evaluationMs: 60_000, pagerDuty: { apiBase: 'https://events.pagerduty.com', routingKey: null }, anomaly: defaultAnomalySettings },
    })
  })

  it('refuses alert settings out of range, naming each', () => {
    const env = production({ ALERT_EVALUATION_SECONDS: '1', PAGERDUTY_API_BASE: 'events.pagerduty.com', ANOMALY_DETECTION: { floor: 1.5, minEvents: 0, k: 3 } })
    expect(configError(env).problems.map((p) => p.split(':')[0]).sort()).toEqual(['ALERT_EVALUATION_SECONDS', 'ANOMALY_DETECTION.floor', 'ANOMALY_DETECTION.minEvents', 'PAGERDUTY_API_BASE'])
  })

  it.each(['PII_KEYS', 'PII_KEY_ID', 'PII_INDEX_KEY'])('refuses to start without %s: personal data is never stored in the clear', (name) => {
    const env = production()
    delete env[name]
    expect(configError(env).problems.map((p) => p.split(':')[0])).toEqual([name])
  })

  it.each([
    ['a current key id that is not in the keyring', { PII_KEY_ID: 'k3' }, 'PII_KEYS', /PII_KEY_ID "k3" is not in PII_KEYS/],
    ['a key that is not 32 bytes', { PII_KEYS: JSON.stringify({ k2: Buffer.alloc(16, 7).toString('base64') }) }, 'PII_KEYS', /key k2 must be 32 bytes/],
    ['a key id with a dot', { PII_KEYS: JSON.stringify({ 'k.2': PII_K2 }), PII_KEY_ID: 'k2' }, 'PII_KEYS', /must be 1 to 32 of/],
    ['a keyring that is not JSON', { PII_KEYS: '{k2:' }, 'PII_KEYS', /JSON object/],
    ['a short index key', { PII_INDEX_KEY: 'short-index-key' }, 'PII_INDEX_KEY', /at least 32/],
  ])('refuses %s, naming it and never a key', (_name, over, setting, message) => {
    const err = configError(production(over))
    expect(err.problems.map((p) => p.split(':')[0])).toContain(setting)
    expect(err.problems.join('; ')).toMatch(message)
    for (const secret of [PII_K1, PII_K2, Buffer.alloc(16, 7).toString('base64'), 'short-index-key']) expect(err.message).not.toContain(secret)
  })

  it('refuses the development keyring and index key in production, and takes them in development', () => {
    const devKeys = { PII_KEYS: JSON.stringify({ dev1: PII_K1 }), PII_KEY_ID: 'dev1', PII_INDEX_KEY: `dev-only-${PII_INDEX}` }
    expect(configError(production(devKeys)).problems.map((p) => p.split(':')[0])).toEqual(['PII_KEYS', 'PII_INDEX_KEY'])
    expect(settingsOf(production({ ...devKeys, ENVIRONMENT: 'development' })).pii.keyring.currentKid).toBe('dev1')
  })

  it('returns the very same settings for the same env object, and parses a new env object afresh', () => {
    const env = production()
    expect(settingsOf(env)).toBe(settingsOf(env))
    const other = production({ LOG_LEVEL: 'error' })
    expect(settingsOf(other)).not.toBe(settingsOf(env))
    expect(settingsOf(other).logLevel).toBe('error')
  })

  it.each([
    ['IDEMPOTENCY_TTL_HOURS', '23'], // keys must live at least 24 h
    ['IDEMPOTENCY_TTL_HOURS', '721'],
    ['IDEMPOTENCY_TTL_HOURS', 'a day'],
    ['IDEMPOTENCY_LEASE_SECONDS', '4'],
    ['CREDENTIAL_CACHE_MS', '1001'],
    ['CREDENTIAL_CACHE_MS', '-1'],
    ['CREDENTIAL_CACHE_MS', '0.5'],
    ['SESSION_TTL_HOURS', '0'],
    ['SESSION_TTL_HOURS', '1.5'],
    ['LOG_LEVEL', 'verbose'],
    ['ENVIRONMENT', 'staging'],
    ['RATE_LIMITS', '{not json'],
    ['RATE_LIMITS', { ...RATE_LIMITS, read: { limit: 0, windowSeconds: 60 } }],
    ['RATE_LIMITS', { read: RATE_LIMITS.read }],
    ['RATE_LIMITS', { ...RATE_LIMITS, unknownClass: RATE_LIMITS.read }],
    ['CHECKOUT_HOLD_MINUTES', '0'],
    ['CHECKOUT_HOLD_MINUTES', '121'],
    ['PAYMENT_BOUND_MINUTES', '0'],
    ['RECONCILE_DELAY_SECONDS', '1.5'],
    ['PLATFORM_FEE_BPS', '-1'],
    ['PLATFORM_FEE_BPS', '5001'],
    ['ORDER_AUTO_COMPLETE_HOURS', '0'],
    ['CARRIER_STEP_SECONDS', '0'],
    ['GATEWAY', 'paypal'],
    ['GATEWAY_TIMEOUT_MS', '99'],
    ['GATEWAY_MAX_ATTEMPTS', '0'],
    ['GATEWAY_MAX_ATTEMPTS', '11'],
    ['STRIPE_API_BASE', 'not a url'],
    ['BREAKER', '{not json'],
    ['BREAKER', { minFailures: 100, failureRate: 0, windowSeconds: 300, cooldownSeconds: 120 }],
    ['BREAKER', { minFailures: 100, failureRate: 1.5, windowSeconds: 300, cooldownSeconds: 120 }],
    ['BREAKER', { minFailures: 100, failureRate: 0.35, windowSeconds: 300 }],
    ['GATEWAY_RATE_LIMIT', { limit: 0, windowSeconds: 1 }],
    ['RISK_RULES', [{ id: 'x', action: 'checkout', verdict: 'block', all: [{ signal: 'no_such_signal', op: 'gt', value: 1 }], reason: 'x' }]],
    ['RISK_RULES', [{ id: 'x', action: 'checkout', verdict: 'maybe', all: [{ signal: 'amount', op: 'gt', value: 1 }], reason: 'x' }]],
    ['RISK_POLICY_TTL_SECONDS', '301'],
    ['WEBHOOK_RETRY_SCALE', '0'],
    ['WEBHOOK_RETRY_SCALE', '2'],
    ['QUEUE_RETRY_SCALE', '0'],
    ['QUEUE_RETRY_SCALE', '1.5'],
    ['WEBHOOK_TIMEOUT_MS', '50'],
    ['METRICS_STORE', 'memory'],
    ['SLO_OBJECTIVES', '[{not json'],
    ['SLO_OBJECTIVES', [{ ...SLO, target: 1 }]],
    ['SLO_OBJECTIVES', [{ ...SLO, indicator: { ...SLO.indicator, thresholdMs: 150 } }]],
  ])('rejects %s = %j, naming it', (name, value) => {
    const err = configError(production({ [name]: value }))
    expect(err.problems.some((p) => p.startsWith(name))).toBe(true)
    expect(err.message).toContain(name)
  })

  it('rejects a missing PSEUDONYM_KEY, naming it', () => {
    const env = production()
    delete env.PSEUDONYM_KEY
    const err = configError(env)
    expect(err.name).toBe('ConfigError')
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toMatch(/^PSEUDONYM_KEY: /)
    expect(err.message).toMatch(/^invalid configuration: PSEUDONYM_KEY: /)
  })

  it('rejects a missing CARRIER_WEBHOOK_SECRET, naming it: it is required, there is no default', () => {
    const env = production()
    delete env.CARRIER_WEBHOOK_SECRET
    const err = configError(env)
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toMatch(/^CARRIER_WEBHOOK_SECRET: /)
    expect(err.message).toMatch(/^invalid configuration: CARRIER_WEBHOOK_SECRET: /)
  })

  it('rejects a short CARRIER_WEBHOOK_SECRET, naming it but never showing its value', () => {
    const short = 'carrier-15chars' // 15 characters: one short
    const err = configError(production({ CARRIER_WEBHOOK_SECRET: short }))
    expect(err.problems).toEqual(['CARRIER_WEBHOOK_SECRET: must be at least 16 characters'])
    expect(err.message).not.toContain(short)
    expect(settingsOf(production({ CARRIER_WEBHOOK_SECRET: `${short}x` })).carrierWebhookSecret).toBe(`${short}x`)
  })

  it('refuses GATEWAY=stripe without an sk_ key, naming STRIPE_SECRET_KEY but never showing the value', () => {
    const env = production()
    delete env.STRIPE_SECRET_KEY
    const missing = configError(env)
    expect(missing.problems).toEqual([expect.stringMatching(/^STRIPE_SECRET_KEY: /)])
    expect(missing.message).toContain('STRIPE_SECRET_KEY')

    const publishable = 'pk_live_0123456789abcdefghijkl' // a publishable key: the wrong one, and not to be echoed
    const wrong = configError(production({ STRIPE_SECRET_KEY: publishable }))
    expect(wrong.problems).toEqual([expect.stringMatching(/^STRIPE_SECRET_KEY: /)])
    expect(wrong.message).not.toContain(publishable)
  })

  it('refuses GATEWAY=stripe without a whsec_ webhook secret, naming STRIPE_WEBHOOK_SECRET', () => {
    const err = configError(production({ STRIPE_WEBHOOK_SECRET: 'not-a-webhook-secret' }))
    expect(err.problems).toEqual([expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: /)])
    expect(err.message).not.toContain('not-a-webhook-secret')
    const neither = production()
    delete neither.STRIPE_SECRET_KEY
    delete neither.STRIPE_WEBHOOK_SECRET
    expect(configError(neither).problems.map((p) => p.split(':')[0])).toEqual(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'])
  })

  it('asks the Stripe key of each Stripe product in use, and the webhook secret of those heard by webhook (Identity, payments), naming them', () => {
    const only = (over: Record<string, unknown>) => {
      const env = production({ GATEWAY: 'sandbox', IDENTITY_PROVIDER: 'sandbox', PAYOUT_PROVIDER: 'sandbox', ...over })
      delete env.STRIPE_SECRET_KEY
      delete env.STRIPE_WEBHOOK_SECRET
      return env
    }
    expect(settingsOf(only({})).identity.kind).toBe('sandbox')
    expect(configError(only({ IDENTITY_PROVIDER: 'stripe' })).problems).toEqual([expect.stringMatching(/^STRIPE_SECRET_KEY: IDENTITY_PROVIDER=stripe/), expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: IDENTITY_PROVIDER=stripe/)])
    // Transfers answer synchronously: no webhook secret needed for them alone.
    expect(configError(only({ PAYOUT_PROVIDER: 'stripe' })).problems).toEqual([expect.stringMatching(/^STRIPE_SECRET_KEY: PAYOUT_PROVIDER=stripe/)])
    expect(settingsOf({ ...only({ PAYOUT_PROVIDER: 'stripe' }), STRIPE_SECRET_KEY: STRIPE_KEY }).payouts.kind).toBe('stripe')
    for (const [name, value] of [['IDENTITY_PROVIDER', 'onfido'], ['PAYOUT_PROVIDER', 'wise'], ['IDENTITY_SANDBOX_SECONDS', '-1'], ['IDENTITY_SANDBOX_SECONDS', '3601']] as const) {
      expect(configError(production({ [name]: value })).problems, `${name}=${value}`).toEqual([expect.stringMatching(new RegExp(`^${name}: `))])
    }
  })

  it('needs no Stripe keys for the sandbox gateway, and ignores malformed ones there', () => {
    const sandbox = production({ GATEWAY: 'sandbox', IDENTITY_PROVIDER: 'sandbox', PAYOUT_PROVIDER: 'sandbox' })
    delete sandbox.STRIPE_SECRET_KEY
    delete sandbox.STRIPE_WEBHOOK_SECRET
    expect(settingsOf(sandbox).gateway).toMatchObject({ kind: 'sandbox', stripe: { secretKey: '', webhookSecret: '' } })
    expect(settingsOf(production({ GATEWAY: 'sandbox', IDENTITY_PROVIDER: 'sandbox', PAYOUT_PROVIDER: 'sandbox', STRIPE_SECRET_KEY: 'pk_test_x' })).gateway.kind).toBe('sandbox')
  })

  it('rejects a short PSEUDONYM_KEY, naming it but never showing its value', () => {
    const short = 'hunter2-but-a-bit-longer-xyz' // 28 characters: a real secret, just too short
    const err = configError(production({ PSEUDONYM_KEY: short }))
    expect(err.problems).toEqual(['PSEUDONYM_KEY: must be at least 32 characters'])
    expect(err.message).toContain('PSEUDONYM_KEY')
    expect(err.message).not.toContain(short)
    expect(JSON.stringify(err.problems)).not.toContain(short)
    expect(err.stack ?? '').not.toContain(short)
  })

  it('reports every problem at once, and never a value', () => {
    const err = configError({ ENVIRONMENT: 'staging-secret-value', IDEMPOTENCY_TTL_HOURS: '12', PSEUDONYM_KEY: 'tiny-secret' })
    const names = err.problems.map((p) => p.split(':')[0])
    expect(names).toEqual(expect.arrayContaining(['ENVIRONMENT', 'IDEMPOTENCY_TTL_HOURS', 'RATE_LIMITS', 'PSEUDONYM_KEY', 'CARRIER_WEBHOOK_SECRET']))
    expect(err.message).not.toContain('staging-secret-value')
    expect(err.message).not.toContain('tiny-secret')
  })

  it('refuses the development outbox in production: nothing would ever reach anyone', () => {
    expect(configError(production({ NOTIFICATION_DELIVERY: 'outbox' })).problems).toEqual([expect.stringMatching(/^NOTIFICATION_DELIVERY: /)])
  })

  it('refuses the binding probe in production, and turns it on only when asked in development', () => {
    expect(configError(production({ BINDING_PROBE: 'on' })).problems).toEqual([expect.stringMatching(/^BINDING_PROBE: /)])
    expect(settingsOf(production({ BINDING_PROBE: 'off' })).bindingProbe).toBe(false)
    expect(settingsOf(minimal({ ENVIRONMENT: 'development', BINDING_PROBE: 'on' })).bindingProbe).toBe(true)
    expect(configError(minimal({ ENVIRONMENT: 'development', BINDING_PROBE: 'yes' })).problems).toEqual([expect.stringMatching(/^BINDING_PROBE: /)])
  })

  it('refuses half a provider, naming what is missing and never a value', () => {
    const sms = production()
    delete sms.TWILIO_AUTH_TOKEN
    delete sms.SMS_FROM
    const err = configError(sms)
    expect(err.problems.map((p) => p.split(':')[0])).toEqual(['TWILIO_AUTH_TOKEN', 'SMS_FROM'])
    expect(err.message).not.toContain(TWILIO_SID)
    const push = production()
    delete push.VAPID_PRIVATE_KEY
    expect(configError(push).problems.map((p) => p.split(':')[0])).toEqual(['VAPID_PRIVATE_KEY'])
    // None of a provider is fine: that channel is simply not offered.
    const none = production()
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'SMS_FROM', 'VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT', 'RESEND_API_KEY']) delete none[name]
    expect(settingsOf(none).notifications).toMatchObject({ email: null, sms: null, push: null })
  })

  it.each([
    ['a public key that is not a P-256 point', { VAPID_PUBLIC_KEY: VAPID_PUBLIC.slice(0, 40) }, 'VAPID_PUBLIC_KEY'],
    ['a private key of the wrong length', { VAPID_PRIVATE_KEY: VAPID_PRIVATE.slice(0, 20) }, 'VAPID_PRIVATE_KEY'],
    ['a subject that is neither mailto: nor https:', { VAPID_SUBJECT: 'ops@souk.example' }, 'VAPID_SUBJECT'],
    ['an account SID that is not one', { TWILIO_ACCOUNT_SID: 'SK0123456789abcdef0123456789abcdef' }, 'TWILIO_ACCOUNT_SID'],
    ['a sender that is neither a number nor a messaging service', { SMS_FROM: '5005550006' }, 'SMS_FROM'],
  ])('refuses %s, naming it and never its value', (_name, over, setting) => {
    const err = configError(production(over))
    expect(err.problems.map((p) => p.split(':')[0])).toEqual([setting])
    expect(err.message).not.toContain(Object.values(over)[0])
  })

  it('does not cache a failure: a fixed env object parses', () => {
    const env = production({ PSEUDONYM_KEY: 'short' })
    expect(() => settingsOf(env)).toThrow(ConfigError)
    env.PSEUDONYM_KEY = KEY
    expect(settingsOf(env).pseudonymKey).toBe(KEY)
  })
})
