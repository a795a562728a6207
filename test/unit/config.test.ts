import { describe, expect, it } from 'vitest'
import { ConfigError, settingsOf } from '../../src/config'

const KEY = 'pseudonym-key-0123456789abcdef-xyz' // 34 characters
const RATE_LIMITS = {
  read: { limit: 300, windowSeconds: 60 },
  write: { limit: 60, windowSeconds: 60 },
  auth: { limit: 10, windowSeconds: 60 },
  loginFailuresPerAccount: { limit: 5, windowSeconds: 900 },
  loginFailuresPerIp: { limit: 20, windowSeconds: 900 },
}

/** What wrangler.toml gives a deployed worker: string vars, RATE_LIMITS as an object, bindings beside them. */
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
  PSEUDONYM_KEY: KEY,
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
      idempotency: { ttlMs: 48 * 3_600_000, leaseMs: 90_000 },
      rateLimits: RATE_LIMITS,
      listingRules: {
        softCloseMs: 3 * 60_000,
        minAuctionMs: 600_000,
        maxAuctionMs: 30 * 86_400_000,
        offerTtlMs: 48 * 3_600_000,
        offerCheckoutMs: 12 * 3_600_000,
        auctionPaymentMs: 72 * 3_600_000,
      },
      pseudonymKey: KEY,
    })
  })

  it('parses a development-like env whose RATE_LIMITS arrives as a JSON string (wrangler --var)', () => {
    const settings = settingsOf({ ENVIRONMENT: 'development', RATE_LIMITS: JSON.stringify(RATE_LIMITS), PSEUDONYM_KEY: KEY })
    expect(settings.environment).toBe('development')
    expect(settings.rateLimits).toEqual(RATE_LIMITS)
  })

  it('applies the defaults for what is not set', () => {
    expect(settingsOf({ ENVIRONMENT: 'production', RATE_LIMITS, PSEUDONYM_KEY: KEY })).toEqual({
      environment: 'production',
      logLevel: 'info',
      sessionTtlMs: 720 * 3_600_000,
      idempotency: { ttlMs: 24 * 3_600_000, leaseMs: 60_000 },
      rateLimits: RATE_LIMITS,
      listingRules: {
        softCloseMs: 2 * 60_000,
        minAuctionMs: 3_600_000,
        maxAuctionMs: 30 * 86_400_000,
        offerTtlMs: 48 * 3_600_000,
        offerCheckoutMs: 24 * 3_600_000,
        auctionPaymentMs: 48 * 3_600_000,
      },
      pseudonymKey: KEY,
    })
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
    ['SESSION_TTL_HOURS', '0'],
    ['SESSION_TTL_HOURS', '1.5'],
    ['LOG_LEVEL', 'verbose'],
    ['ENVIRONMENT', 'staging'],
    ['RATE_LIMITS', '{not json'],
    ['RATE_LIMITS', { ...RATE_LIMITS, read: { limit: 0, windowSeconds: 60 } }],
    ['RATE_LIMITS', { read: RATE_LIMITS.read }],
    ['RATE_LIMITS', { ...RATE_LIMITS, unknownClass: RATE_LIMITS.read }],
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
    expect(names).toEqual(expect.arrayContaining(['ENVIRONMENT', 'IDEMPOTENCY_TTL_HOURS', 'RATE_LIMITS', 'PSEUDONYM_KEY']))
    expect(err.message).not.toContain('staging-secret-value')
    expect(err.message).not.toContain('tiny-secret')
  })

  it('does not cache a failure: a fixed env object parses', () => {
    const env = production({ PSEUDONYM_KEY: 'short' })
    expect(() => settingsOf(env)).toThrow(ConfigError)
    env.PSEUDONYM_KEY = KEY
    expect(settingsOf(env).pseudonymKey).toBe(KEY)
  })
})
