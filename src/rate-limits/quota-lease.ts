import type { RateLimitVerdict } from './gcra'
import type { RateLimitPolicy } from './rate-limit-policy'

/**
 * Lets an isolate spend a large quota without a round trip per request. It takes a lease of units
 * from the subject's counter at once and hands them out locally until they run out or the time
 * they stand for has passed. Only quotas of 100 or more are leased, 2% at a time; small quotas
 * (failed logins, strict production limits) stay exact. Leases never over-admit (every unit was
 * granted by the counter); unused units lapse with their lease, so an isolate may refuse up to a
 * lease's worth early. One lease request per key at a time (`claimRequest`); a miss meanwhile looks
 * again on its own timer, never awaiting another request's call. Pure: the clock is passed in.
 */
export const LEASE_FRACTION = 50

export function leaseSize(policy: RateLimitPolicy): number {
  const size = Math.floor(policy.limit / LEASE_FRACTION)
  return size >= 2 ? size : 1
}

type Lease = { left: number; until: number; verdict: RateLimitVerdict }

/** How long a claim to ask for a lease holds: a request cancelled mid-call never gives its claim back. */
export const CLAIM_MS = 1_000

export class QuotaLeases {
  private readonly leases = new Map<string, Lease>()
  /** Keys whose next lease a request is asking for, with when it claimed that. */
  private readonly requesting = new Map<string, number>()
  constructor(private readonly capacity = 10_000) {}

  /** A verdict from a live lease, spending one unit of it; undefined when a new lease is needed. */
  take(key: string, nowMs: number): RateLimitVerdict | undefined {
    const lease = this.leases.get(key)
    if (!lease || lease.left <= 0 || nowMs >= lease.until) return undefined
    lease.left -= 1
    return { ...lease.verdict, remaining: lease.verdict.remaining + lease.left }
  }

  /** Keeps a lease of `units` just granted, adding what is left of one still live. */
  keep(key: string, policy: RateLimitPolicy, units: number, verdict: RateLimitVerdict, nowMs: number): void {
    if (units < 1) return
    const standsForMs = ((policy.windowSeconds * 1000) / policy.limit) * units
    const live = this.leases.get(key)
    const carried = live && nowMs < live.until ? live.left : 0
    this.leases.delete(key)
    this.leases.set(key, { left: units + carried, until: nowMs + standsForMs, verdict })
    if (this.leases.size > this.capacity) this.leases.delete(this.leases.keys().next().value as string)
  }

  /**
   * Claims the right to ask the counter for `key`'s next lease: the claim (its time) to give back,
   * or undefined while another request holds one younger than CLAIM_MS. The others must not await
   * the holder's call: the runtime ties I/O to the request that made it, so if that request is
   * cancelled (its client went away) the call is dropped and whoever waited on it would never get
   * an answer.
   */
  claimRequest(key: string, nowMs: number): number | undefined {
    const claimedAt = this.requesting.get(key)
    if (claimedAt !== undefined && nowMs - claimedAt < CLAIM_MS) return undefined
    this.requesting.set(key, nowMs)
    return nowMs
  }

  /** Gives a claim back, however its lease request ended; a later claim (this one had lapsed) stays. */
  endRequest(key: string, claim: number): void {
    if (this.requesting.get(key) === claim) this.requesting.delete(key)
  }
}
