/**
 * When a webhook delivery is tried again: the Standard Webhooks example schedule. After the first
 * attempt fails, retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, about a day in all, so a
 * receiver that is down for a deploy or a night still gets every event. A fixed table rather than
 * jittered backoff: one endpoint's deliveries are few, and a receiver can read the schedule.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const

/** The first attempt and one per retry. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1

/**
 * How long to wait, in ms, after the `failedAttempts`-th failed attempt (counting from 1), or
 * null when the schedule is spent and the delivery has failed for good. `scale` (0 < scale ≤ 1)
 * shrinks the schedule so local runs see retries in seconds (0.001 turns 5 min into 300 ms); the
 * result is rounded up to a whole ms, and is at least 1 so a retry never runs at once.
 */
export function nextRetryDelayMs(failedAttempts: number, scale: number): number | null {
  const seconds = RETRY_DELAYS_SECONDS[Math.max(1, Math.floor(failedAttempts)) - 1]
  if (seconds === undefined) return null
  // Round to the µs first, so a float product like 7_200_000 · 0.07 = 504000.00000000006 is not rounded up a whole ms.
  const ms = Math.ceil(Math.round(seconds * 1000 * scale * 1000) / 1000)
  return ms >= 1 ? ms : 1
}
