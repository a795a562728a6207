import type { RateLimitPolicy } from './rate-limit-policy'

/**
 * The generic cell rate algorithm: one number per subject, the theoretical arrival time (TAT)
 * of the next unit. A quota of `limit` per `window` lets `limit` units through at once, then one
 * every `window / limit`, with no fixed-window burst at the boundary. Pure.
 *
 * Arithmetic is exact: times are counted in ticks of 1/limit ms (BigInt), in which the emission
 * interval `window / limit` is the whole number `windowMs`. Floats near `Date.now()` carry about
 * 0.0002 ms of error, enough to refuse the last unit of a burst or misreport what remains.
 */
export type GcraState = { tat: bigint; limit: number }

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

const ticksAt = (nowMs: number, limit: number): bigint => BigInt(Math.floor(nowMs)) * BigInt(limit)
const toMs = (ticks: bigint, limit: number): number => Number(ticks) / limit

/** The stored TAT in this policy's ticks (a policy's limit may change between calls). */
function tatIn(state: GcraState, limit: number): bigint {
  if (state.limit === limit) return state.tat
  const scaled = state.tat * BigInt(limit)
  const divisor = BigInt(state.limit)
  return scaled / divisor + (scaled % divisor === 0n ? 0n : 1n)
}

export function consume(
  state: GcraState | undefined,
  policy: RateLimitPolicy,
  now: number,
  cost = 1,
): { verdict: RateLimitVerdict; state: GcraState | undefined } {
  const { limit } = policy
  const interval = BigInt(policy.windowSeconds * 1000)
  const window = interval * BigInt(limit)
  const nowTicks = ticksAt(now, limit)
  const stored = state ? tatIn(state, limit) : nowTicks
  const tat = stored > nowTicks ? stored : nowTicks
  const nextTat = tat + interval * BigInt(cost)
  // Units left once the TAT is `t`: the unused part of the window, in whole intervals.
  const remainingAt = (t: bigint) => Number((window - (t - nowTicks)) / interval)
  if (nextTat - nowTicks > window) {
    const verdict = {
      allowed: false,
      limit,
      remaining: Math.max(0, remainingAt(tat)),
      resetMs: toMs(tat - nowTicks, limit),
      retryAfterMs: toMs(nextTat - nowTicks - window, limit),
    }
    return { verdict, state }
  }
  const verdict = { allowed: true, limit, remaining: remainingAt(nextTat), resetMs: toMs(nextTat - nowTicks, limit), retryAfterMs: 0 }
  return { verdict, state: { tat: nextTat, limit } }
}

/** Gives back units consumed for something that turned out not to count (a login that succeeded). */
export function refund(state: GcraState | undefined, policy: RateLimitPolicy, now: number, cost = 1): GcraState | undefined {
  if (!state) return undefined
  const tat = tatIn(state, policy.limit) - BigInt(policy.windowSeconds * 1000) * BigInt(cost)
  return tat > ticksAt(now, policy.limit) ? { tat, limit: policy.limit } : undefined
}

/** The state can be forgotten once its TAT has passed: a fresh subject behaves the same. */
export const isIdle = (state: GcraState | undefined, now: number): boolean => !state || state.tat <= ticksAt(now, state.limit)

/** When the state becomes idle, in epoch ms (for the alarm that forgets it). */
export const idleAt = (state: GcraState): number => Math.ceil(toMs(state.tat, state.limit))
