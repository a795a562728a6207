import { DAY, firstInstantAt, isTimeZone, startOfDay, wallClock } from './quiet-hours'

/**
 * A digest collapses a user's waiting activity notices into one message, sent hourly or daily.
 * Only activity is digested: security and payment notices always go out on their own, at once,
 * so the caller leaves them out of the digest and never asks this when to send them.
 */
export type Digest = 'off' | 'hourly' | 'daily'

/** Daily digests go out at this local hour: the morning, after any night's quiet hours. */
export const DAILY_DIGEST_HOUR = 8

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** Every offset in use is a whole number of quarter hours, so a local top of the hour falls on one. */
const QUARTER_HOUR = 15 * MINUTE

/**
 * When the next digest after `now` goes out: null when digests are off; hourly, the next top of
 * the hour on the user's clock; daily, the next 08:00 on it. No time zone, or one the runtime does
 * not know, means UTC. Strictly after `now`, so a digest sent at 09:00 schedules the next at 10:00.
 */
export function nextDigestAt(digest: Digest, timeZone: string | undefined, now: Date): Date | null {
  if (digest === 'off') return null
  const zone = timeZone !== undefined && isTimeZone(timeZone) ? timeZone : 'UTC'
  if (digest === 'hourly') return nextTopOfHour(zone, now)
  const wall = wallClock(now, zone)
  const todayAt8 = startOfDay(wall) + DAILY_DIGEST_HOUR * HOUR
  return firstInstantAt(wall < todayAt8 ? todayAt8 : todayAt8 + DAY, zone, now)
}

/**
 * The first quarter hour after `now` at which the local clock reads minute 0. Walking the clock
 * rather than adding an hour keeps DST right: when Paris falls back at 03:00, the next top of the
 * hour after 02:30 is the second 02:00, thirty minutes later.
 */
function nextTopOfHour(timeZone: string, now: Date): Date {
  const first = now.getTime() - (((now.getTime() % QUARTER_HOUR) + QUARTER_HOUR) % QUARTER_HOUR) + QUARTER_HOUR
  for (let t = first; t <= first + 2 * HOUR; t += QUARTER_HOUR) {
    if (wallClock(new Date(t), timeZone) % HOUR === 0) return new Date(t)
  }
  return new Date(now.getTime() - (now.getTime() % HOUR) + HOUR)
}
