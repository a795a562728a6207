/**
 * A rolling log of what one IP, device or payment method did, and the counts rules read from it.
 * Pure: the object that keeps it passes the clock. An event with the same `id` as one already
 * logged (a retried checkout) is counted once.
 */
export type SignalKind = 'checkout' | 'payout' | 'listing' | 'registration'
export type SignalEvent = { kind: SignalKind; id: string; subject: string }
export type SignalLog = (SignalEvent & { at: number })[]
/** Counts before this event: of its kind in 1 h and 24 h, and distinct subjects in 24 h with this one. */
export type SignalCounts = { lastHour: number; lastDay: number; subjectsLastDay: number }

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Entries kept at most: past this, the oldest go (one buyer's day of checkouts stays far below). */
export const MAX_SIGNAL_ENTRIES = 1_000

export function countEvents(log: SignalLog, event: SignalEvent, nowMs: number): { counts: SignalCounts; log: SignalLog } {
  const live = log.filter((e) => e.at > nowMs - DAY)
  const others = live.filter((e) => !(e.kind === event.kind && e.id === event.id))
  const sameKind = others.filter((e) => e.kind === event.kind)
  const counts = {
    lastHour: sameKind.filter((e) => e.at > nowMs - HOUR).length,
    lastDay: sameKind.length,
    subjectsLastDay: new Set([...sameKind.map((e) => e.subject), event.subject]).size,
  }
  const seen = live.find((e) => e.kind === event.kind && e.id === event.id)
  const kept = [...others, seen ?? { ...event, at: nowMs }].slice(-MAX_SIGNAL_ENTRIES)
  return { counts, log: kept }
}
