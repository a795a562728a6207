import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { silencingSince, THROTTLE_WINDOW_MS, throttled } from '../../../src/notifications/throttle'

const T0 = new Date('2030-03-01T12:00:00.000Z')
const after = (ms: number): Date => new Date(T0.getTime() + ms)

describe('throttled', () => {
  it('lets the first notice through', () => {
    expect(throttled(null, T0)).toBe(false)
  })

  it('holds back another within five minutes, and lets one through from then on', () => {
    expect(THROTTLE_WINDOW_MS).toBe(5 * 60_000)
    expect(throttled(T0, T0)).toBe(true)
    expect(throttled(T0, after(60_000))).toBe(true)
    expect(throttled(T0, after(THROTTLE_WINDOW_MS - 1))).toBe(true)
    expect(throttled(T0, after(THROTTLE_WINDOW_MS))).toBe(false)
    expect(throttled(T0, after(THROTTLE_WINDOW_MS + 1))).toBe(false)
  })

  it('takes another window', () => {
    expect(throttled(T0, after(90_000), 60_000)).toBe(false)
    expect(throttled(T0, after(30_000), 60_000)).toBe(true)
  })

  it('holds back when the last one is stamped later than now (two clocks)', () => {
    expect(throttled(after(1_000), T0)).toBe(true)
  })

  it('turns fifty outbids in a bidding war into one per window (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 * 60_000 }), { minLength: 1, maxLength: 50 }), (offsets) => {
        const times = [...offsets].sort((a, b) => a - b).map(after)
        let last: Date | null = null
        const sent: Date[] = []
        for (const now of times) {
          if (throttled(last, now)) continue
          sent.push(now)
          last = now
        }
        expect(sent[0]).toEqual(times[0])
        for (let i = 1; i < sent.length; i++) expect(sent[i]!.getTime() - sent[i - 1]!.getTime()).toBeGreaterThanOrEqual(THROTTLE_WINDOW_MS)
        expect(sent.length).toBeLessThanOrEqual(Math.floor((times.at(-1)!.getTime() - times[0]!.getTime()) / THROTTLE_WINDOW_MS) + 1)
      }),
    )
  })

  it('silencingSince is throttled as the bound the store compares with (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -THROTTLE_WINDOW_MS, max: 3 * THROTTLE_WINDOW_MS }), fc.integer({ min: 1, max: 3_600_000 }), (lastOffset, windowMs) => {
        const last = after(lastOffset)
        const now = after(THROTTLE_WINDOW_MS)
        expect(last.getTime() > silencingSince(now, windowMs).getTime()).toBe(throttled(last, now, windowMs))
      }),
    )
  })
})
