import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deliverAt, quietUntil, wallClock, type QuietHours } from '../../../src/notifications/quiet-hours'

const PARIS = 'Europe/Paris'
const LA = 'America/Los_Angeles'
const night = (timeZone: string): QuietHours => ({ start: '22:00', end: '07:00', timeZone })
const utc = (iso: string): Date => new Date(iso)
const until = (q: QuietHours | undefined, now: string): string | null => quietUntil(q, utc(now))?.toISOString() ?? null

/**
 * Paris is UTC+1 in winter and UTC+2 in summer; in 2030 the clocks go forward at 02:00 on
 * Sunday 31 March (01:00 UTC) and back at 03:00 on Sunday 27 October (01:00 UTC).
 * Los Angeles is UTC-8 and UTC-7; in 2030 forward at 02:00 on Sunday 10 March (10:00 UTC).
 */
describe('quietUntil in Europe/Paris', () => {
  it.each([
    ['21:59 is before the window', '2030-01-15T20:59:00.000Z', null],
    ['22:00 opens it, until 07:00 the next morning', '2030-01-15T21:00:00.000Z', '2030-01-16T06:00:00.000Z'],
    ['23:30 waits for the next morning', '2030-01-15T22:30:00.000Z', '2030-01-16T06:00:00.000Z'],
    ['00:00 waits for the same morning', '2030-01-15T23:00:00.000Z', '2030-01-16T06:00:00.000Z'],
    ['06:59:59 still waits a second', '2030-01-16T05:59:59.000Z', '2030-01-16T06:00:00.000Z'],
    ['07:00 closes it', '2030-01-16T06:00:00.000Z', null],
    ['noon is outside', '2030-01-16T11:00:00.000Z', null],
    ['a summer night ends at 07:00 CEST', '2030-07-01T21:00:00.000Z', '2030-07-02T05:00:00.000Z'],
  ])('%s', (_name, now, expected) => {
    expect(until(night(PARIS), now)).toBe(expected)
  })

  it('ends a night across the March change at 07:00 summer time: seven hours after 23:00, not eight', () => {
    expect(until(night(PARIS), '2030-03-30T22:00:00.000Z')).toBe('2030-03-31T05:00:00.000Z')
    expect(until(night(PARIS), '2030-03-31T00:59:00.000Z')).toBe('2030-03-31T05:00:00.000Z') // 01:59 CET
    expect(until(night(PARIS), '2030-03-31T01:00:00.000Z')).toBe('2030-03-31T05:00:00.000Z') // 03:00 CEST
  })

  it('ends a window whose end the clock skips at the jump itself (02:30 never happens; 03:00 does)', () => {
    const q = { start: '23:00', end: '02:30', timeZone: PARIS }
    expect(until(q, '2030-03-31T00:30:00.000Z')).toBe('2030-03-31T01:00:00.000Z') // 01:30 CET
    expect(until(q, '2030-03-31T01:00:00.000Z')).toBeNull() // 03:00 CEST, past the end
  })

  it('opens a window whose start the clock skips when the clock lands inside it', () => {
    const q = { start: '02:15', end: '04:00', timeZone: PARIS }
    expect(until(q, '2030-03-31T00:59:59.000Z')).toBeNull() // 01:59:59 CET
    expect(until(q, '2030-03-31T01:00:00.000Z')).toBe('2030-03-31T02:00:00.000Z') // 03:00 CEST until 04:00 CEST
  })

  it('ends a daytime window on the March change at its summer-time end', () => {
    expect(until({ start: '09:00', end: '17:00', timeZone: PARIS }, '2030-03-31T08:00:00.000Z')).toBe('2030-03-31T15:00:00.000Z')
  })

  it('ends a window in the hour October repeats at the next time the clock reads its end', () => {
    const q = { start: '01:00', end: '02:30', timeZone: PARIS }
    expect(until(q, '2030-10-27T00:10:00.000Z')).toBe('2030-10-27T00:30:00.000Z') // 02:10 CEST → 02:30 CEST
    expect(until(q, '2030-10-27T01:10:00.000Z')).toBe('2030-10-27T01:30:00.000Z') // 02:10 CET → 02:30 CET
    expect(until(night(PARIS), '2030-10-26T20:00:00.000Z')).toBe('2030-10-27T06:00:00.000Z') // 22:00 CEST → 07:00 CET: ten hours
  })
})

describe('quietUntil in America/Los_Angeles', () => {
  it.each([
    ['21:59 PST is before the window', '2030-01-16T05:59:00.000Z', null],
    ['22:00 PST opens it', '2030-01-16T06:00:00.000Z', '2030-01-16T15:00:00.000Z'],
    ['03:00 PST waits', '2030-01-16T11:00:00.000Z', '2030-01-16T15:00:00.000Z'],
    ['07:00 PST closes it', '2030-01-16T15:00:00.000Z', null],
    ['23:00 PDT waits until 07:00 PDT', '2030-06-15T06:00:00.000Z', '2030-06-15T14:00:00.000Z'],
    ['23:00 PST on the night of the March change waits until 07:00 PDT', '2030-03-10T07:00:00.000Z', '2030-03-10T14:00:00.000Z'],
  ])('%s', (_name, now, expected) => {
    expect(until(night(LA), now)).toBe(expected)
  })

  it('reads the window in the user’s zone, not UTC or Paris', () => {
    // 23:00 in Paris is 14:00 in Los Angeles: quiet for one, not the other.
    expect(until(night(PARIS), '2030-01-15T22:00:00.000Z')).not.toBeNull()
    expect(until(night(LA), '2030-01-15T22:00:00.000Z')).toBeNull()
  })

  it('handles a window within one day', () => {
    const lunch = { start: '12:00', end: '13:30', timeZone: LA }
    expect(until(lunch, '2030-01-15T19:59:00.000Z')).toBeNull()
    expect(until(lunch, '2030-01-15T20:00:00.000Z')).toBe('2030-01-15T21:30:00.000Z')
    expect(until(lunch, '2030-01-15T21:30:00.000Z')).toBeNull()
  })
})

describe('quietUntil, whatever the window', () => {
  it('has no window without quiet hours, with start equal to end, or in a zone the runtime does not know', () => {
    expect(until(undefined, '2030-01-15T23:00:00.000Z')).toBeNull()
    expect(until({ start: '22:00', end: '22:00', timeZone: PARIS }, '2030-01-15T21:00:00.000Z')).toBeNull()
    expect(until({ start: '22:00', end: '07:00', timeZone: 'Mars/Olympus_Mons' }, '2030-01-15T23:00:00.000Z')).toBeNull()
  })

  const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`)
  /** The clock changes of 2030 in both zones: most generated instants fall within a day and a half of one. */
  const changes = ['2030-03-10T10:00:00Z', '2030-11-03T09:00:00Z', '2030-03-31T01:00:00Z', '2030-10-27T01:00:00Z'].map(Date.parse)
  const nearChange = fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 3_600, max: 36 * 3_600 })).map(([change, s]) => new Date(change + s * 1_000))
  const anyTime = fc.integer({ min: Date.parse('2029-01-01T00:00:00Z'), max: Date.parse('2031-12-31T00:00:00Z') }).map((t) => new Date(t))
  const instant = fc.oneof({ arbitrary: nearChange, weight: 3 }, { arbitrary: anyTime, weight: 1 })
  const minuteOf = (wall: number) => Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 60_000)
  const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3))

  it('ends after now, within a day or so, when the clock reads the end or jumps past it; quiet until then (property)', () => {
    fc.assert(
      fc.property(hhmm, hhmm, fc.constantFrom(PARIS, LA), instant, (start, end, timeZone, now) => {
        const q = { start, end, timeZone }
        const ends = quietUntil(q, now)
        if (start === end) expect(ends).toBeNull()
        if (ends === null) return
        expect(ends.getTime()).toBeGreaterThan(now.getTime())
        expect(ends.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3_600_000) // a day, and the hour October repeats
        const wall = wallClock(ends, timeZone)
        const jumped = wall - wallClock(new Date(ends.getTime() - 1_000), timeZone) !== 1_000
        if (!jumped) expect(minuteOf(wall)).toBe(minutes(end))
        expect(quietUntil(q, new Date(ends.getTime() - 1_000))).toEqual(ends)
      }),
    )
  })

  it('is quiet exactly when the local time is in the window (property)', () => {
    fc.assert(
      fc.property(hhmm, hhmm, fc.constantFrom(PARIS, LA), instant, (start, end, timeZone, now) => {
        fc.pre(start !== end)
        const [h, m] = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now).split(':').map(Number)
        const local = h! * 60 + m!
        const [s, e] = [minutes(start), minutes(end)]
        const inside = s < e ? local >= s && local < e : local >= s || local < e
        expect(quietUntil({ start, end, timeZone }, now) !== null).toBe(inside)
      }),
    )
  })
})

describe('deliverAt', () => {
  const lateNight = utc('2030-01-15T23:30:00.000Z') // 00:30 in Paris

  it('sends security and payment notices at once, quiet hours or not', () => {
    expect(deliverAt('security', night(PARIS), lateNight)).toEqual(lateNight)
    expect(deliverAt('payment', night(PARIS), lateNight)).toEqual(lateNight)
  })

  it('holds activity until the window ends, and sends it at once outside it', () => {
    expect(deliverAt('activity', night(PARIS), lateNight).toISOString()).toBe('2030-01-16T06:00:00.000Z')
    expect(deliverAt('activity', night(LA), lateNight)).toEqual(lateNight) // 15:30 in Los Angeles
    expect(deliverAt('activity', undefined, lateNight)).toEqual(lateNight)
  })

  it('never drops: the time it answers is never before now (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('security', 'payment', 'activity'), fc.integer({ min: Date.parse('2030-01-01T00:00:00Z'), max: Date.parse('2031-01-01T00:00:00Z') }), fc.constantFrom(PARIS, LA), (category, t, timeZone) => {
        const now = new Date(t)
        const at = deliverAt(category, night(timeZone), now)
        expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime())
        if (category !== 'activity') expect(at).toEqual(now)
      }),
    )
  })
})
