/**
 * Throttling: a bidding war sends a user one "outbid" per few minutes, not fifty. The caller keeps,
 * per user and notice `throttleKey`, when one last went out, and drops the notices this says are
 * throttled (the first already told them; a later one after the window tells them the news).
 */
export const THROTTLE_WINDOW_MS = 5 * 60_000

/**
 * Whether a notice sent at `lastSentAt` still silences another at `now`. A `lastSentAt` ahead of
 * `now` (clocks of two workers disagree) silences too: it was sent, and no later than the window.
 */
export function throttled(lastSentAt: Date | null, now: Date, windowMs: number = THROTTLE_WINDOW_MS): boolean {
  if (lastSentAt === null) return false
  return now.getTime() - lastSentAt.getTime() < windowMs
}
