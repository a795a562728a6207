import type { RateLimitVerdict } from './gcra'
import type { RateLimitClass, RateLimitPolicy } from './rate-limit-policy'

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-10): the policy the
 * caller is under and what is left of it, both as structured-field lists keyed by policy name.
 *
 *   RateLimit-Policy: "write";q=60;w=60
 *   RateLimit: "write";r=12;t=48
 */
export function rateLimitHeaders(cls: RateLimitClass, policy: RateLimitPolicy, verdict: RateLimitVerdict): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${cls}";q=${policy.limit};w=${policy.windowSeconds}`,
    RateLimit: `"${cls}";r=${verdict.remaining};t=${Math.ceil(verdict.resetMs / 1000)}`,
  }
  if (!verdict.allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)))
  return headers
}
