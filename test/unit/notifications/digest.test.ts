import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nextDigestAt } from '../../../src/notifications/digest'
import { wallClock } from '../../../src/notifications/quiet-hours'

const next = (digest: 'off' | 'hourly' | 'daily', timeZone: string | undefined, now: string): string | null => nextDigestAt(digest, timeZone, new Date(now))?.toISOString() ?? null
const HOUR = 3_600_000

describe('nextDigestAt', () => {
  it('has no digest when digests are off', () => {
    expect(next('off', 'Europe/Paris', '2030-01-15T10:20:00.000Z')).toBeNull()
    expect(next('off', undefined, '2030-01-15T10:20:00.000Z')).toBeNull()
  })

  it.each([
    ['mid-hour, UTC', undefined, '2030-01-15T10:20:00.000Z', '2030-01-15T11:00:00.000Z'],
    ['on the hour, the next one', undefined, '2030-01-15T10:00:00.000Z', '2030-01-15T11:00:00.000Z'],
    ['a millisecond before the hour', 'Europe/Paris', '2030-01-15T10:59:59.999Z', '2030-01-15T11:00:00.000Z'],
    ['Kolkata’s hours start at half past UTC', 'Asia/Kolkata', '2030-01-15T10:20:00.000Z', '2030-01-15T10:30:00.000Z'],
    ['Paris falls back: 02:30 summer time, then 02:00 winter time', 'Europe/Paris', '2030-10-27T00:30:00.000Z', '2030-10-27T01:00:00.000Z'],
    ['Paris springs forward: 01:30, then 03:00', 'Europe/Paris', '2030-03-31T00:30:00.000Z', '2030-03-31T01:00:00.000Z'],
  ])('hourly: %s', (_name, timeZone, now, expected) => {
    expect(next('hourly', timeZone, now)).toBe(expected)
  })

  it.each([
    ['before 08:00 UTC, today', undefined, '2030-01-15T07:59:00.000Z', '2030-01-15T08:00:00.000Z'],
    ['at 08:00 UTC, tomorrow', undefined, '2030-01-15T08:00:00.000Z', '2030-01-16T08:00:00.000Z'],
    ['after 08:00 UTC, tomorrow', undefined, '2030-01-15T20:00:00.000Z', '2030-01-16T08:00:00.000Z'],
    ['08:00 in Paris in winter', 'Europe/Paris', '2030-01-15T06:59:00.000Z', '2030-01-15T07:00:00.000Z'],
    ['08:00 in Paris in summer', 'Europe/Paris', '2030-07-15T09:00:00.000Z', '2030-07-16T06:00:00.000Z'],
    ['08:00 in Paris the morning the clocks go forward', 'Europe/Paris', '2030-03-30T21:00:00.000Z', '2030-03-31T06:00:00.000Z'],
    ['08:00 in Los Angeles the morning the clocks go forward', 'America/Los_Angeles', '2030-03-10T09:00:00.000Z', '2030-03-10T15:00:00.000Z'],
    ['08:00 in Los Angeles the evening before, in its own date', 'America/Los_Angeles', '2030-01-15T20:00:00.000Z', '2030-01-16T16:00:00.000Z'],
    ['an unknown zone reads as UTC', 'Mars/Olympus_Mons', '2030-01-15T07:00:00.000Z', '2030-01-15T08:00:00.000Z'],
  ])('daily: %s', (_name, timeZone, now, expected) => {
    expect(next('daily', timeZone, now)).toBe(expected)
  })

  const zone = fc.constantFrom(undefined, 'UTC', 'Europe/Paris', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe')
  const instant = fc.integer({ min: Date.parse('2029-01-01T00:00:00Z'), max: Date.parse('2031-12-31T00:00:00Z') }).map((t) => new Date(t))

  it('hourly: the first local top of the hour after now, within the hour (property)', () => {
    fc.assert(
      fc.property(zone, instant, (timeZone, now) => {
        const at = nextDigestAt('hourly', timeZone, now)!
        expect(at.getTime()).toBeGreaterThan(now.getTime())
        expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(HOUR)
        expect(wallClock(at, timeZone ?? 'UTC') % HOUR).toBe(0)
      }),
    )
  })

  it('daily: the next 08:00 on the user’s clock, within a day (property)', () => {
    fc.assert(
      fc.property(zone, instant, (timeZone, now) => {
        const at = nextDigestAt('daily', timeZone, now)!
        expect(at.getTime()).toBeGreaterThan(now.getTime())
        expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(25 * HOUR)
        expect(new Date(wallClock(at, timeZone ?? 'UTC')).toISOString().slice(11)).toBe('08:00:00.000Z')
      }),
    )
  })
})
