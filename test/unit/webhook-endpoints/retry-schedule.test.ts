import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, nextRetryDelayMs } from '../../../src/webhook-endpoints/retry-schedule'

const retries = RETRY_DELAYS_SECONDS.length
const scaleArb = fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true })

describe('the retry schedule', () => {
  it('is the Standard Webhooks example: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, a little over a day', () => {
    expect(RETRY_DELAYS_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000])
    const total = RETRY_DELAYS_SECONDS.reduce((sum, s) => sum + s, 0)
    expect(total / 3600).toBeGreaterThan(24)
    expect(total / 3600).toBeLessThan(28)
  })

  it('allows one first attempt and one attempt per retry', () => {
    expect(MAX_ATTEMPTS).toBe(8)
  })
})

describe('nextRetryDelayMs', () => {
  it('at full scale waits the table, in ms, after each failure', () => {
    expect(Array.from({ length: retries }, (_, i) => nextRetryDelayMs(i + 1, 1))).toEqual(RETRY_DELAYS_SECONDS.map((s) => s * 1000))
  })

  it('is null once every retry has been spent', () => {
    expect(nextRetryDelayMs(retries, 1)).not.toBeNull()
    expect(nextRetryDelayMs(retries + 1, 1)).toBeNull()
    expect(nextRetryDelayMs(MAX_ATTEMPTS, 0.001)).toBeNull()
    expect(nextRetryDelayMs(1000, 1)).toBeNull()
    expect(nextRetryDelayMs(Number.POSITIVE_INFINITY, 1)).toBeNull()
  })

  it('at the local scale of 0.001 turns seconds into ms', () => {
    expect(Array.from({ length: retries }, (_, i) => nextRetryDelayMs(i + 1, 0.001))).toEqual([...RETRY_DELAYS_SECONDS])
  })

  it('rounds up to a whole ms and never answers less than 1', () => {
    expect(nextRetryDelayMs(1, 0.0001)).toBe(1) // 0.5 ms
    expect(nextRetryDelayMs(1, 0.0003)).toBe(2) // 1.5 ms
    expect(nextRetryDelayMs(1, 1e-12)).toBe(1)
  })

  it('does not round float noise up to an extra ms (7 200 000 · 0.07 is 504000.00000000006 in floats)', () => {
    expect(nextRetryDelayMs(4, 0.07)).toBe(504_000)
    expect(nextRetryDelayMs(2, 0.1)).toBe(30_000)
  })

  it('is a whole number of ms, at least 1, rounded up from the scaled delay, never above the unscaled one (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: retries }), scaleArb, (failed, scale) => {
        const ms = nextRetryDelayMs(failed, scale)
        const unscaled = RETRY_DELAYS_SECONDS[failed - 1]! * 1000
        const exact = unscaled * scale
        expect(ms).not.toBeNull()
        expect(Number.isInteger(ms)).toBe(true)
        expect(ms).toBeGreaterThanOrEqual(1)
        expect(ms!).toBeGreaterThanOrEqual(exact - 0.001) // rounding to the µs first may shave half of one
        expect(ms!).toBeLessThan(Math.max(exact, 1) + 1)
        expect(ms!).toBeLessThanOrEqual(unscaled)
      }),
    )
  })

  it('never shortens from one retry to the next (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: retries - 1 }), scaleArb, (failed, scale) => {
        expect(nextRetryDelayMs(failed + 1, scale)!).toBeGreaterThanOrEqual(nextRetryDelayMs(failed, scale)!)
      }),
    )
  })
})
