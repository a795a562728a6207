import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { consume, type GcraState } from '../../../src/rate-limits/gcra'
import type { RateLimitPolicy } from '../../../src/rate-limits/rate-limit-policy'

// Small enough limits to simulate, windows over the whole configurable range (1 s to a day).
const policyArb: fc.Arbitrary<RateLimitPolicy> = fc.record({
  limit: fc.integer({ min: 1, max: 40 }),
  windowSeconds: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 86_400 })),
})

// Times are what callers pass: integer epoch milliseconds, anywhere from 1970 to past 2100.
const startArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 42 }))

/** Gaps between requests, biased towards the edges that matter: same instant, whole intervals ± 2 ms. */
const gapArb = (policy: RateLimitPolicy) => {
  const interval = (policy.windowSeconds * 1000) / policy.limit
  return fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 2 * policy.windowSeconds * 1000 }),
    fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -2, max: 2 }))
      .map(([k, ms]) => Math.max(0, Math.round(k * interval) + ms)),
  )
}

const scenarioArb = policyArb.chain((policy) =>
  fc.record({
    policy: fc.constant(policy),
    start: startArb,
    gaps: fc.array(gapArb(policy), { minLength: 1, maxLength: 60 }),
  }),
)

const timesOf = (start: number, gaps: number[]) => {
  let t = start
  return gaps.map((gap) => (t += gap))
}

/** How many requests would be allowed at `now`, one after another, starting from `state`. */
function allowedNow(state: GcraState | undefined, policy: RateLimitPolicy, now: number): number {
  let n = 0
  for (let r = consume(state, policy, now); r.verdict.allowed; r = consume(r.state, policy, now)) n++
  return n
}

describe('consume (property)', () => {
  it('lets a fresh subject send exactly `limit` at one instant, then denies with retryAfterMs ≈ window / limit', () => {
    fc.assert(
      fc.property(policyArb, startArb, (policy, now) => {
        let state: GcraState | undefined
        for (let i = 0; i < policy.limit; i++) {
          const r = consume(state, policy, now)
          expect(r.verdict).toMatchObject({ allowed: true, remaining: policy.limit - 1 - i })
          state = r.state
        }
        const denied = consume(state, policy, now).verdict
        expect(denied.allowed).toBe(false)
        expect(denied.retryAfterMs).toBeCloseTo((policy.windowSeconds * 1000) / policy.limit, 2)
      }),
    )
  })

  it('never allows more than limit + floor((t1 - t0) / interval) in any span [t0, t1], and a denial changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policy, start, gaps }) => {
        const windowMs = policy.windowSeconds * 1000
        const allowedAt: number[] = []
        let state: GcraState | undefined
        for (const now of timesOf(start, gaps)) {
          const r = consume(state, policy, now)
          if (r.verdict.allowed) allowedAt.push(now)
          else expect(r.state).toBe(state)
          state = r.state
        }
        // The tightest spans start and end on allowed requests. Integer arithmetic: floor(Δ / (W / L)) = floor(Δ·L / W).
        for (let i = 0; i < allowedAt.length; i++) {
          for (let j = i; j < allowedAt.length; j++) {
            const span = (allowedAt[j] as number) - (allowedAt[i] as number)
            expect(j - i + 1).toBeLessThanOrEqual(policy.limit + Math.floor((span * policy.limit) / windowMs))
          }
        }
      }),
    )
  })

  it('reports as remaining exactly the number of further requests that would be allowed at that instant', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policy, start, gaps }) => {
        let state: GcraState | undefined
        for (const now of timesOf(start, gaps)) {
          const r = consume(state, policy, now)
          expect(r.verdict.remaining).toBe(allowedNow(r.state, policy, now))
          state = r.state
        }
      }),
    )
  })

  it('allows a denied request once retryAfterMs has passed, and not 1 ms before', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policy, start, gaps }) => {
        let state: GcraState | undefined
        for (const now of timesOf(start, gaps)) {
          const r = consume(state, policy, now)
          if (!r.verdict.allowed) {
            expect(consume(state, policy, now + Math.ceil(r.verdict.retryAfterMs)).verdict.allowed).toBe(true)
            if (r.verdict.retryAfterMs > 1) expect(consume(state, policy, now + r.verdict.retryAfterMs - 1).verdict.allowed).toBe(false)
          }
          state = r.state
        }
      }),
    )
  })
})
