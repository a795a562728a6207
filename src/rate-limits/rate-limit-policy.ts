import { z } from 'zod'

/** A quota: at most `limit` units per `windowSeconds`, replenished smoothly (GCRA). */
export const rateLimitPolicySchema = z.strictObject({
  limit: z.number().int().min(1).max(10_000_000),
  windowSeconds: z.number().int().min(1).max(86_400),
})
export type RateLimitPolicy = z.infer<typeof rateLimitPolicySchema>

/**
 * The classes of limit. Requests count against `read` or `write` by method (`auth` for the
 * register and login routes); failed logins count against both failure classes.
 */
export const rateLimitClasses = ['read', 'write', 'auth', 'loginFailuresPerAccountAndIp', 'loginFailuresPerIp'] as const
export type RateLimitClass = (typeof rateLimitClasses)[number]

export const rateLimitsSchema = z.strictObject({
  read: rateLimitPolicySchema,
  write: rateLimitPolicySchema,
  auth: rateLimitPolicySchema,
  loginFailuresPerAccountAndIp: rateLimitPolicySchema,
  loginFailuresPerIp: rateLimitPolicySchema,
}) satisfies z.ZodType<Record<RateLimitClass, RateLimitPolicy>>
export type RateLimits = z.infer<typeof rateLimitsSchema>
