/**
 * Throttling: a bidding war sends a user one "outbid" per few minutes, not fifty. Per user and
 * notice `throttleKey`, a notice is silenced when another under the same key was recorded for an
 * event less than the window before or after its own event. It is decided by event time, not the
 * consumer's clock, so the same event applied again (a redelivery ten minutes later) is decided
 * the same way (law 5: applied once); and both ways, so events handled out of order collapse too.
 * The store checks and records in one statement (`silencingWindow`), so consumers racing on one
 * bidding war still send one.
 */
export const THROTTLE_WINDOW_MS = 5 * 60_000

/** Whether a notice recorded for an event at `otherAt` silences one for an event at `eventAt`. */
export function silences(otherAt: Date, eventAt: Date, windowMs: number = THROTTLE_WINDOW_MS): boolean {
  return Math.abs(eventAt.getTime() - otherAt.getTime()) < windowMs
}

/** The open interval of event times whose notices silence one at `eventAt`: `silences` as the bounds the store compares with. */
export function silencingWindow(eventAt: Date, windowMs: number = THROTTLE_WINDOW_MS): { after: Date; before: Date } {
  return { after: new Date(eventAt.getTime() - windowMs), before: new Date(eventAt.getTime() + windowMs) }
}
