/**
 * Throttling: a bidding war sends a user one "outbid" per few minutes, not fifty. Per user and
 * notice `throttleKey`, a notice is dropped while an earlier one is recent (the first already
 * told them; a later one after the window tells them the news). The store checks and records in
 * one statement (`silencingSince`), so two consumers racing on one bidding war still send one.
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

/** A notice with the same key recorded after this instant silences one at `now`: `throttled` as a bound. */
export function silencingSince(now: Date, windowMs: number = THROTTLE_WINDOW_MS): Date {
  return new Date(now.getTime() - windowMs)
}
