import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkoutVelocity, type VelocityRule } from '../../../src/risk/checkout-velocity'

const RULE: VelocityRule = { windowMinutes: 10, challengeAt: 3, blockAt: 5 }
const reason = (n: number) => `checkout_velocity: ${n} checkouts in 10 minutes`

describe('checkoutVelocity', () => {
  it('allows with no reasons while this checkout stays below challengeAt', () => {
    expect(checkoutVelocity(0, RULE)).toEqual({ verdict: 'allow', reasons: [] })
    expect(checkoutVelocity(1, RULE)).toEqual({ verdict: 'allow', reasons: [] })
  })

  it('challenges from the checkout that reaches challengeAt, counting this one', () => {
    expect(checkoutVelocity(2, RULE)).toEqual({ verdict: 'challenge', reasons: [reason(3)] })
    expect(checkoutVelocity(3, RULE)).toEqual({ verdict: 'challenge', reasons: [reason(4)] })
  })

  it('blocks from the checkout that reaches blockAt, and beyond', () => {
    expect(checkoutVelocity(4, RULE)).toEqual({ verdict: 'block', reasons: [reason(5)] })
    expect(checkoutVelocity(50, RULE)).toEqual({ verdict: 'block', reasons: [reason(51)] })
  })

  it('blocks rather than challenges when both thresholds are reached at once', () => {
    expect(checkoutVelocity(1, { windowMinutes: 5, challengeAt: 2, blockAt: 2 })).toEqual({ verdict: 'block', reasons: ['checkout_velocity: 2 checkouts in 5 minutes'] })
  })

  it('never softens its verdict as the count rises', () => {
    const rank = { allow: 0, challenge: 1, review: 2, block: 3 } as const
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.nat(40), (challengeAt, gap, recent) => {
        const rule = { windowMinutes: 15, challengeAt, blockAt: challengeAt + gap }
        const now = checkoutVelocity(recent, rule)
        const next = checkoutVelocity(recent + 1, rule)
        expect(rank[next.verdict]).toBeGreaterThanOrEqual(rank[now.verdict])
        expect(now.verdict).toBe(recent + 1 >= rule.blockAt ? 'block' : recent + 1 >= challengeAt ? 'challenge' : 'allow')
      }),
    )
  })
})
