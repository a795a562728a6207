import type { NotificationCategory } from './notification-rules'

/**
 * Quiet hours: a daily window of wall-clock time in the user's own time zone (`22:00`–`07:00`,
 * Europe/Paris) during which activity notices wait. They delay, never drop: a notice that arrives
 * inside the window goes out the moment it ends. Wall time comes from the runtime's time-zone
 * database through Intl, so the window follows the user's clock across DST changes.
 */
export type QuietHours = { start: string; end: string; timeZone: string }

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/**
 * When the quiet window that holds `now` ends, or null when `now` is outside it. A window whose
 * start is after its end runs across midnight; one whose start equals its end is no window at all.
 * A time zone the runtime does not know also means no window: an untimely notice beats a consumer
 * that fails on every message for that user.
 */
export function quietUntil(q: QuietHours | undefined, now: Date): Date | null {
  if (!q || !isTimeZone(q.timeZone)) return null
  const start = minuteOfDay(q.start)
  const end = minuteOfDay(q.end)
  if (start === null || end === null || start === end) return null
  const wall = wallClock(now, q.timeZone)
  const minute = Math.floor((wall - startOfDay(wall)) / MINUTE)
  const crossesMidnight = start > end
  const inside = crossesMidnight ? minute >= start || minute < end : minute >= start && minute < end
  if (!inside) return null
  // Late evening in a window across midnight ends tomorrow; anything else ends today.
  const endsTomorrow = crossesMidnight && minute >= start
  return firstInstantAt(startOfDay(wall) + (endsTomorrow ? DAY : 0) + end * MINUTE, q.timeZone, now)
}

/** When a notice should go out: security and payment at once, activity after the quiet window. */
export function deliverAt(category: NotificationCategory, q: QuietHours | undefined, now: Date): Date {
  if (category === 'security' || category === 'payment') return now
  return quietUntil(q, now) ?? now
}

/** `HH:MM` from 00:00 to 23:59 as minutes after midnight, or null. */
export function minuteOfDay(hhmm: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm)
  return match ? Number(match[1]) * 60 + Number(match[2]) : null
}

/** Whether the runtime knows `timeZone` (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

/**
 * A wall-clock reading in `timeZone`, as the epoch milliseconds of the same date and time in UTC:
 * 22:30 on 30 March in Paris is `Date.UTC(…, 2, 30, 22, 30)`. Whole seconds; plain arithmetic on
 * it moves along the calendar, not along time.
 */
export function wallClock(instant: Date, timeZone: string): number {
  const parts: Record<string, number> = {}
  for (const p of formatterFor(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts
  return Date.UTC(year, month - 1, day, hour, minute, second)
}

export const startOfDay = (wall: number): number => wall - mod(wall, DAY)

/**
 * The first instant after `after` at which the clock in `timeZone` reads `wall` or later. Usually
 * there is exactly one such reading. When the clocks go back it happens twice, and the earlier one
 * after `after` counts; when they go forward past it (02:30 on the March change in Paris) it never
 * happens, and the instant of the jump counts, the first whose reading is later.
 */
export function firstInstantAt(wall: number, timeZone: string, after: Date): Date {
  const instants = instantsAt(wall, timeZone)
  const next = instants.find((t) => t > after.getTime()) ?? instants[instants.length - 1] ?? wall
  return new Date(next)
}

/**
 * The instants whose reading in `timeZone` is exactly `wall`, earliest first; for a reading the
 * clock skips, the instant of the skip. Candidates come from the offsets a day either side (as
 * Temporal does it): no zone changes its offset twice within two days.
 */
function instantsAt(wall: number, timeZone: string): number[] {
  const candidates = [...new Set([offsetAt(wall - DAY, timeZone), offsetAt(wall + DAY, timeZone)])].map((offset) => wall - offset).sort((a, b) => a - b)
  const exact = candidates.filter((t) => wallClock(new Date(t), timeZone) === wall)
  if (exact.length > 0) return exact
  // In a gap: before the jump the clock reads earlier than `wall`, after it later; find the jump.
  let lo = candidates[0] ?? wall
  let hi = candidates[candidates.length - 1] ?? wall
  while (hi - lo > SECOND) {
    const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND
    if (wallClock(new Date(mid), timeZone) >= wall) hi = mid
    else lo = mid
  }
  return [hi]
}

/** How far the clock in `timeZone` is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const whole = instant - mod(instant, SECOND)
  return wallClock(new Date(whole), timeZone) - whole
}

const mod = (n: number, m: number): number => ((n % m) + m) % m

/**
 * Building a formatter is the expensive part of Intl; one per zone is kept. Zone names are
 * case-insensitive, so users could spell one many ways: the cache is bounded.
 */
const formatters = new Map<string, Intl.DateTimeFormat>()
const MAX_FORMATTERS = 1_000

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    if (formatters.size >= MAX_FORMATTERS) formatters.clear()
    formatters.set(timeZone, f)
  }
  return f
}
