import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { silences, silencingWindow, THROTTLE_WINDOW_MS } from '../../../src/notifications/throttle'

const T0 = new Date('2030-03-01T12:00:00.000Z')
const at = (ms: number): Date => new Date(T0.getTime() + ms)

/** The store, in miniature: records a notice for an event unless a recorded one silences it. */
function apply(recorded: number[], eventMs: number): number[] {
  return recorded.some((r) => silences(at(r), at(eventMs))) ? recorded : [...recorded, eventMs]
}

describe('silences', () => {
  it('holds back another notice for an event within five minutes either side, and no further', () => {
    expect(THROTTLE_WINDOW_MS).toBe(5 * 60_000)
    for (const ms of [0, 60_000, THROTTLE_WINDOW_MS - 1, -60_000, -(THROTTLE_WINDOW_MS - 1)]) expect(silences(T0, at(ms))).toBe(true)
    for (const ms of [THROTTLE_WINDOW_MS, THROTTLE_WINDOW_MS + 1, -THROTTLE_WINDOW_MS]) expect(silences(T0, at(ms))).toBe(false)
  })

  it('takes another window', () => {
    expect(silences(T0, at(90_000), 60_000)).toBe(false)
    expect(silences(T0, at(30_000), 60_000)).toBe(true)
  })

  it('turns a bidding war, events in any order and some redelivered, into notices a window apart that leave no event far from one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 * 60_000 }), { minLength: 1, maxLength: 50 }), fc.array(fc.nat(), { maxLength: 20 }), (events, again) => {
        const redelivered = again.map((i) => events[i % events.length]!)
        const recorded = [...events, ...redelivered].reduce(apply, [] as number[])
        // A window apart: never two notices for one burst.
        const sorted = [...recorded].sort((a, b) => a - b)
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(THROTTLE_WINDOW_MS)
        // Nobody misses news for long: every event is within a window of a notice.
        for (const e of events) expect(recorded.some((r) => silences(at(r), at(e)))).toBe(true)
        // Applied again, any event changes nothing (law 5).
        for (const e of events) expect(apply(recorded, e)).toEqual(recorded)
      }),
    )
  })

  it('silencingWindow bounds exactly the event times that silence (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3 * THROTTLE_WINDOW_MS, max: 3 * THROTTLE_WINDOW_MS }), fc.integer({ min: 1, max: 3_600_000 }), (otherOffset, windowMs) => {
        const { after, before } = silencingWindow(T0, windowMs)
        const other = at(otherOffset)
        expect(other > after && other < before).toBe(silences(other, T0, windowMs))
      }),
    )
  })
})
