import { describe, expect, it } from 'vitest'
import { consume, type GcraState, idleAt, isIdle, refund } from '../../../src/rate-limits/gcra'
import type { RateLimitPolicy } from '../../../src/rate-limits/rate-limit-policy'

const FIVE_PER_10S: RateLimitPolicy = { limit: 5, windowSeconds: 10 } // one unit every 2,000 ms
const INTERVAL = 2_000
const T0 = 1_700_000_000_000

/** Sends `n` requests at one instant; returns every verdict and the final state. */
function burst(state: GcraState | undefined, policy: RateLimitPolicy, now: number, n: number) {
  const verdicts = []
  for (let i = 0; i < n; i++) {
    const r = consume(state, policy, now)
    verdicts.push(r.verdict)
    state = r.state
  }
  return { verdicts, state }
}

describe('consume', () => {
  it('lets a fresh subject send exactly `limit` requests at one instant, counting remaining down to 0', () => {
    const { verdicts } = burst(undefined, FIVE_PER_10S, T0, 6)
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, true, true, false])
    expect(verdicts.map((v) => v.remaining)).toEqual([4, 3, 2, 1, 0, 0])
    expect(verdicts.map((v) => v.retryAfterMs)).toEqual([0, 0, 0, 0, 0, INTERVAL])
    expect(verdicts.every((v) => v.limit === 5)).toBe(true)
  })

  it('reports when the quota will be whole again', () => {
    const { verdicts } = burst(undefined, FIVE_PER_10S, T0, 6)
    expect(verdicts.map((v) => v.resetMs)).toEqual([2_000, 4_000, 6_000, 8_000, 10_000, 10_000])
  })

  it('denies with retryAfterMs = window / limit, and allows exactly that much later', () => {
    const { state, verdicts } = burst(undefined, FIVE_PER_10S, T0, 6)
    expect(verdicts[5]?.retryAfterMs).toBe(10_000 / 5)
    expect(consume(state, FIVE_PER_10S, T0 + INTERVAL - 1).verdict).toMatchObject({ allowed: false, retryAfterMs: 1 })
    const after = consume(state, FIVE_PER_10S, T0 + INTERVAL)
    expect(after.verdict).toMatchObject({ allowed: true, remaining: 0 })
    // One unit came back, and only one.
    expect(consume(after.state, FIVE_PER_10S, T0 + INTERVAL).verdict.allowed).toBe(false)
  })

  it('replenishes smoothly: half a window later, half the quota is back', () => {
    const { state } = burst(undefined, FIVE_PER_10S, T0, 5)
    const { verdicts } = burst(state, FIVE_PER_10S, T0 + 5_000, 4)
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, false, false])
  })

  it('gives a subject idle for a whole window its full quota again', () => {
    const { state } = burst(undefined, FIVE_PER_10S, T0, 5)
    const { verdicts } = burst(state, FIVE_PER_10S, T0 + 10_000, 6)
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5)
  })

  // Real callers pass Date.now(): epoch milliseconds, where a double resolves only about 0.0002 ms.
  it.each([
    { limit: 3, windowSeconds: 1 },
    { limit: 6, windowSeconds: 1 },
    { limit: 7, windowSeconds: 60 },
    { limit: 7, windowSeconds: 3_600 },
    { limit: 300, windowSeconds: 60 },
    { limit: 9, windowSeconds: 86_400 },
    { limit: 100_000, windowSeconds: 60 }, // the development `read` class
  ])('fits exactly `limit` in a burst at an epoch-ms instant when window / limit is not a whole number: %o', (policy) => {
    const { verdicts } = burst(undefined, policy, T0, policy.limit + 1)
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(policy.limit)
    expect(verdicts.at(-1)?.allowed).toBe(false)
    expect(verdicts.at(-1)?.retryAfterMs).toBeCloseTo((policy.windowSeconds * 1000) / policy.limit, 2)
  })

  it('leaves the state untouched when it denies', () => {
    const { state } = burst(undefined, FIVE_PER_10S, T0, 5)
    const denied = consume(state, FIVE_PER_10S, T0 + 1)
    expect(denied.verdict.allowed).toBe(false)
    expect(denied.state).toBe(state)
    expect(denied.state).toEqual(state)
  })

  it('charges a cost of several units at once', () => {
    const r = consume(undefined, FIVE_PER_10S, T0, 3)
    expect(r.verdict).toMatchObject({ allowed: true, remaining: 2 })
    expect(consume(r.state, FIVE_PER_10S, T0, 3).verdict.allowed).toBe(false)
    expect(consume(r.state, FIVE_PER_10S, T0, 2).verdict).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('reports remaining 0 when the next unit is still 1 ms away, even with a day-long window', () => {
    // limit 2 per day: one unit every 43,200,000 ms. After a request at 0 and one at 43,199,999, the next unit
    // frees up at 43,200,000, so at 43,199,999 nothing is left: a third request there is denied.
    const policy = { limit: 2, windowSeconds: 86_400 }
    const first = consume(undefined, policy, 0)
    const second = consume(first.state, policy, 43_199_999)
    const third = consume(second.state, policy, 43_199_999)
    expect(third.verdict.allowed).toBe(false)
    expect(second.verdict).toMatchObject({ allowed: true, remaining: 0 })
    expect(third.verdict.remaining).toBe(0)
  })
})

describe('refund', () => {
  it('gives one unit back', () => {
    const { state } = burst(undefined, FIVE_PER_10S, T0, 5)
    const refunded = refund(state, FIVE_PER_10S, T0)
    expect(refunded).toEqual({ tat: BigInt(T0 + 8_000) * 5n, limit: 5 })
    const { verdicts } = burst(refunded, FIVE_PER_10S, T0, 2)
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false])
  })

  it('forgets the subject when the refund leaves nothing owed', () => {
    const { state } = consume(undefined, FIVE_PER_10S, T0)
    expect(refund(state, FIVE_PER_10S, T0)).toBeUndefined()
  })

  it('never builds credit beyond a full quota', () => {
    const { state } = consume(undefined, FIVE_PER_10S, T0)
    const refunded = refund(refund(state, FIVE_PER_10S, T0), FIVE_PER_10S, T0)
    expect(refunded).toBeUndefined()
    expect(burst(refunded, FIVE_PER_10S, T0, 6).verdicts.filter((v) => v.allowed)).toHaveLength(5)
  })

  it('refunds several units at once', () => {
    const { state } = burst(undefined, FIVE_PER_10S, T0, 5)
    expect(refund(state, FIVE_PER_10S, T0, 3)).toEqual({ tat: BigInt(T0 + 4_000) * 5n, limit: 5 })
  })

  it('has nothing to refund for an unknown subject', () => {
    expect(refund(undefined, FIVE_PER_10S, T0)).toBeUndefined()
  })
})

describe('isIdle', () => {
  it('is true for no state and for a TAT that has passed or is now, false while units are owed', () => {
    const { state } = consume(undefined, FIVE_PER_10S, T0) // tat = T0 + 2,000
    expect(isIdle(undefined, T0)).toBe(true)
    expect(isIdle(state, T0)).toBe(false)
    expect(isIdle(state, T0 + INTERVAL - 1)).toBe(false)
    expect(isIdle(state, T0 + INTERVAL)).toBe(true)
    expect(isIdle(state, T0 + INTERVAL + 1)).toBe(true)
  })

  it('is true exactly when forgetting the state changes nothing', () => {
    const { state } = consume(undefined, FIVE_PER_10S, T0)
    const at = T0 + INTERVAL
    expect(burst(state, FIVE_PER_10S, at, 6).verdicts).toEqual(burst(undefined, FIVE_PER_10S, at, 6).verdicts)
  })
})

describe('a policy that changes between calls', () => {
  it('carries the time already owed over to the new quota', () => {
    // Five of five spent: 10 s owed. Under 10 per 10 s that is the whole new window too.
    const { state } = burst(undefined, FIVE_PER_10S, T0, 5)
    const tenPer10s = { limit: 10, windowSeconds: 10 }
    expect(consume(state, tenPer10s, T0).verdict).toMatchObject({ allowed: false, remaining: 0 })
    expect(consume(state, tenPer10s, T0 + 1_000).verdict).toMatchObject({ allowed: true, remaining: 0 })
    // Under a looser window the same debt leaves room.
    expect(consume(state, { limit: 5, windowSeconds: 20 }, T0).verdict).toMatchObject({ allowed: true })
  })

  it('says when the state can be forgotten, to the millisecond', () => {
    const { state } = burst(undefined, FIVE_PER_10S, T0, 2)
    expect(idleAt(state as GcraState)).toBe(T0 + 2 * INTERVAL)
    expect(isIdle(state, idleAt(state as GcraState) - 1)).toBe(false)
    expect(isIdle(state, idleAt(state as GcraState))).toBe(true)
  })
})
