import type { RateLimitVerdict } from './gcra'
import type { RateLimitPolicy } from './rate-limit-policy'

/**
 * Lets an isolate spend a large quota without a round trip per request. It takes a lease of units
 * from the subject's counter at once and hands them out locally until they run out or the time
 * they stand for has passed. Only quotas of 100 or more are leased, 2% at a time: an isolate can
 * over-count by at most one lease (never over-admit), and small quotas (failed logins, strict
 * production writes) stay exact. Pure: the clock is passed in.
 */
export const LEASE_FRACTION = 50

export function leaseSize(policy: RateLimitPolicy): number {
  const size = Math.floor(policy.limit / LEASE_FRACTION)
  return size >= 2 ? size : 1
}

type Lease = { left: number; until: number; verdict: RateLimitVerdict }

export class QuotaLeases {
  private readonly leases = new Map<string, Lease>()
  constructor(private readonly capacity = 10_000) {}

  /** A verdict from a live lease, spending one unit of it; undefined when a new lease is needed. */
  take(key: string, nowMs: number): RateLimitVerdict | undefined {
    const lease = this.leases.get(key)
    if (!lease || lease.left <= 0 || nowMs >= lease.until) return undefined
    lease.left -= 1
    return { ...lease.verdict, remaining: lease.verdict.remaining + lease.left }
  }

  /** Keeps the rest of a lease just granted (its first unit already spent by this request). */
  keep(key: string, policy: RateLimitPolicy, size: number, verdict: RateLimitVerdict, nowMs: number): void {
    if (size <= 1) return
    const standsForMs = ((policy.windowSeconds * 1000) / policy.limit) * size
    this.leases.delete(key)
    this.leases.set(key, { left: size - 1, until: nowMs + standsForMs, verdict })
    if (this.leases.size > this.capacity) this.leases.delete(this.leases.keys().next().value as string)
  }
}
