import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { callerKey } from '../accounts/principal'
import type { AppEnv } from '../env'
import { rateLimitHeaders } from '../rate-limits/rate-limit-headers'
import type { RateLimitClass } from '../rate-limits/rate-limit-policy'
import { consumeQuota } from '../rate-limits/rate-limit-store'
import { clientIpSubject } from './client-ip'
import { Problem } from './problem'
import { setResponseHeaders } from './response-headers'

const authPaths = new Set(['/v1/auth/register', '/v1/auth/login'])
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Register and login count against `auth` per IP; everything else by method. Signed inbound
 * webhooks (`null`) are not metered: providers and carriers send bursts from a few addresses and
 * every request is verified by signature before any work, so a per-IP quota would only make them retry.
 */
export function routeClass(c: Context<AppEnv>): RateLimitClass | null {
  if (c.req.path.startsWith('/v1/webhooks/')) return null
  if (c.req.method === 'POST' && authPaths.has(c.req.path)) return 'auth'
  return readMethods.has(c.req.method) ? 'read' : 'write'
}

/** Who a request counts against: its user (whichever credential), else its pseudonymized IP. */
export async function requestSubject(c: Context<AppEnv>, cls: RateLimitClass): Promise<string> {
  const p = c.var.principal
  return p && cls !== 'auth' ? callerKey(p) : clientIpSubject(c)
}

/**
 * Counts a request against one quota; past it, throws the 429 problem with the IETF fields.
 * Returns the headers that tell the caller where they stand.
 */
export async function chargeQuota(c: Context<AppEnv>, cls: RateLimitClass, subject: string): Promise<Record<string, string>> {
  const policy = c.var.settings.rateLimits[cls]
  const verdict = await consumeQuota(c.env, cls, subject, policy)
  const headers = rateLimitHeaders(cls, policy, verdict)
  if (!verdict.allowed) throw new Problem(429, 'rate_limited', `Over the ${cls} limit; retry later`, { headers })
  return headers
}

/**
 * Counts each request against its class's quota (wrangler var `RATE_LIMITS`), answers 429
 * `rate_limited` with `Retry-After` past it, and tells every caller where they stand in the
 * `RateLimit-Policy` and `RateLimit` fields.
 */
export const rateLimit = (classify: (c: Context<AppEnv>) => RateLimitClass | null = routeClass) =>
  createMiddleware<AppEnv>(async function rateLimit(c, next) {
    const cls = classify(c)
    if (cls === null) return next()
    const headers = await chargeQuota(c, cls, await requestSubject(c, cls))
    await next()
    setResponseHeaders(c, mergeWith(c.res.headers, headers))
  })

/**
 * A route may have answered under a stricter policy of its own (failed logins): both policies are
 * reported, as the draft's lists allow, the route's first; its Retry-After stands.
 */
function mergeWith(existing: Headers, ours: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {}
  for (const [name, value] of Object.entries(ours)) {
    const theirs = existing.get(name)
    if (name === 'Retry-After') merged[name] = theirs ?? value
    else merged[name] = theirs ? `${theirs}, ${value}` : value
  }
  return merged
}
