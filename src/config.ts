import { z } from 'zod'
import { logLevels } from './core/logger'
import type { ListingRules } from './listings/listing-state'
import { rateLimitsSchema } from './rate-limits/rate-limit-policy'

/**
 * Runtime settings, parsed once per `env` from wrangler vars and secrets. A missing or malformed
 * setting fails loudly with the names of what is wrong (never the values), instead of the
 * service running on a guess.
 */
const hours = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

/** wrangler passes JSON vars as objects, `--var` passes them as strings: accept both. */
const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value
    try {
      return JSON.parse(value) as unknown
    } catch {
      return value // not JSON: the schema below rejects it with a readable message
    }
  }, schema)

const settingsSchema = z.object({
  ENVIRONMENT: z.enum(['production', 'development']),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  SESSION_TTL_HOURS: hours(1, 24 * 365).default(720),
  IDEMPOTENCY_TTL_HOURS: hours(24, 24 * 30).default(24),
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(5).max(900).default(60),
  RATE_LIMITS: json(rateLimitsSchema),
  SOFT_CLOSE_MINUTES: z.coerce.number().min(0).max(60).default(2),
  AUCTION_MIN_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  OFFER_CHECKOUT_HOURS: z.coerce.number().min(0.25).max(168).default(24),
  AUCTION_PAYMENT_HOURS: z.coerce.number().min(1).max(240).default(48),
  PSEUDONYM_KEY: z.string().min(32, 'must be at least 32 characters'),
})

export type Settings = {
  environment: 'production' | 'development'
  logLevel: z.infer<typeof settingsSchema>['LOG_LEVEL']
  sessionTtlMs: number
  idempotency: { ttlMs: number; leaseMs: number }
  rateLimits: z.infer<typeof rateLimitsSchema>
  listingRules: ListingRules
  /** Keys HMACs that pseudonymize personal data (IPs, e-mails) in counters and logs. */
  pseudonymKey: string
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`)
    this.name = 'ConfigError'
  }
}

const cache = new WeakMap<object, Settings>()

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
    idempotency: { ttlMs: v.IDEMPOTENCY_TTL_HOURS * 3_600_000, leaseMs: v.IDEMPOTENCY_LEASE_SECONDS * 1000 },
    rateLimits: v.RATE_LIMITS,
    listingRules: {
      softCloseMs: v.SOFT_CLOSE_MINUTES * 60_000,
      minAuctionMs: v.AUCTION_MIN_SECONDS * 1000,
      maxAuctionMs: 30 * 86_400_000,
      offerTtlMs: 48 * 3_600_000, // eBay's rule; a contract, not a setting
      offerCheckoutMs: v.OFFER_CHECKOUT_HOURS * 3_600_000,
      auctionPaymentMs: v.AUCTION_PAYMENT_HOURS * 3_600_000,
    },
    pseudonymKey: v.PSEUDONYM_KEY,
  }
  cache.set(env, settings)
  return settings
}
