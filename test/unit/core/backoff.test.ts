import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffSeconds } from '../../../src/core/backoff'

/** The largest double below 1: the most `Math.random()` can return. */
const ALMOST_ONE = 1 - 2 ** -53
const top = () => ALMOST_ONE
const bottom = () => 0

const optionsArb = fc.record({ baseSeconds: fc.integer({ min: 1, max: 120 }), capSeconds: fc.integer({ min: 1, max: 3600 }) })
const ceilingOf = (attempt: number, { baseSeconds, capSeconds }: { baseSeconds: number; capSeconds: number }) =>
  Math.min(capSeconds, baseSeconds * 2 ** (attempt - 1))

describe('backoffSeconds', () => {
  it('is an integer in [0, min(cap, base · 2^(attempt-1))] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: ALMOST_ONE, noNaN: true }),
        optionsArb,
        (attempt, r, options) => {
          const seconds = backoffSeconds(attempt, () => r, options)
          expect(Number.isInteger(seconds)).toBe(true)
          expect(seconds).toBeGreaterThanOrEqual(0)
          expect(seconds).toBeLessThanOrEqual(ceilingOf(attempt, options))
        },
      ),
    )
  })

  it('reaches the ceiling itself when random() is as large as it gets (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), optionsArb, (attempt, options) => {
        expect(backoffSeconds(attempt, top, options)).toBe(ceilingOf(attempt, options))
      }),
    )
  })

  it('is 0 when random() is 0', () => {
    expect(backoffSeconds(5, bottom, { baseSeconds: 2, capSeconds: 600 })).toBe(0)
  })

  it('doubles from the base each attempt, then stays at the cap', () => {
    const options = { baseSeconds: 2, capSeconds: 600 }
    const ceilings = Array.from({ length: 12 }, (_, i) => backoffSeconds(i + 1, top, options))
    expect(ceilings).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600])
  })

  it('spreads retries over the whole range rather than striking in step', () => {
    const options = { baseSeconds: 2, capSeconds: 600 }
    expect(backoffSeconds(4, () => 0.5, options)).toBe(Math.floor(0.5 * 17))
    expect(backoffSeconds(4, () => 0.25, options)).toBe(Math.floor(0.25 * 17))
  })

  it('stays finite and capped for an absurd attempt count', () => {
    expect(backoffSeconds(10_000, top, { baseSeconds: 2, capSeconds: 600 })).toBe(600)
  })

  it('treats attempt 0 (or less) like the first attempt', () => {
    expect(backoffSeconds(0, top, { baseSeconds: 2, capSeconds: 600 })).toBe(2)
    expect(backoffSeconds(-3, top, { baseSeconds: 2, capSeconds: 600 })).toBe(2)
  })
})
