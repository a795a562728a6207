import type { RateLimitPolicy } from './rate-limit-policy'

/**
 * The generic cell rate algorithm: one number per subject, the theoretical arrival time (TAT)
 * of the next unit. A quota of `limit` per `window` lets `limit` units through at once, then one
 * every `window / limit`, with no fixed-window burst at the boundary. Pure; times in ms.
 */
export type GcraState = { tat: number }

export type RateLimitVerdict = {
  allowed: boolean
  limit: number
  /** Units still available right now. */
  remaining: number
  /** Ms until the quota is whole again. */
  resetMs: number
  /** Ms to wait before this request would be allowed; 0 when allowed. */
  retryAfterMs: number
}

/** Absorbs float error in `window / limit` so exactly `limit` units fit in a burst. */
const EPSILON_MS = 1e-6

export function consume(
  state: GcraState | undefined,
  policy: RateLimitPolicy,
  now: number,
  cost = 1,
): { verdict: RateLimitVerdict; state: GcraState | undefined } {
  const windowMs = policy.windowSeconds * 1000
  const interval = windowMs / policy.limit
  const tat = Math.max(state?.tat ?? now, now)
  const nextTat = tat + interval * cost
  // Units left once the TAT is `t`: the unused part of the window, counted in whole intervals.
  const remainingAt = (t: number) => Math.max(0, Math.floor(((windowMs - (t - now)) * policy.limit) / windowMs + 1e-7))
  if (nextTat - now > windowMs + EPSILON_MS) {
    return {
      verdict: {
        allowed: false,
        limit: policy.limit,
        remaining: remainingAt(tat),
        resetMs: tat - now,
        retryAfterMs: nextTat - now - windowMs,
      },
      state,
    }
  }
  return {
    verdict: { allowed: true, limit: policy.limit, remaining: remainingAt(nextTat), resetMs: nextTat - now, retryAfterMs: 0 },
    state: { tat: nextTat },
  }
}

/** Gives back units consumed for something that turned out not to count (a login that succeeded). */
export function refund(state: GcraState | undefined, policy: RateLimitPolicy, now: number, cost = 1): GcraState | undefined {
  if (!state) return undefined
  const interval = (policy.windowSeconds * 1000) / policy.limit
  const tat = state.tat - interval * cost
  return tat > now ? { tat } : undefined
}

/** The state can be forgotten once its TAT has passed: a fresh subject behaves the same. */
export const isIdle = (state: GcraState | undefined, now: number): boolean => !state || state.tat <= now
