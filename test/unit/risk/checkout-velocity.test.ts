import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkoutVelocity, countCheckout, type CheckoutWindow, type VelocityRule } from '../../../src/risk/checkout-velocity'

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

describe('countCheckout', () => {
  const T = Date.parse('2030-01-01T12:00:00Z')
  const rule = { windowMinutes: 10, challengeAt: 3, blockAt: 4 }

  it('counts each order once, however often its checkout is retried', () => {
    let window: CheckoutWindow = []
    for (let i = 0; i < 5; i++) window = countCheckout(window, 'ord_a', T + i, rule).window
    expect(window).toEqual([{ orderId: 'ord_a', at: T }])
    expect(countCheckout(window, 'ord_a', T + 10, rule).assessment.verdict).toBe('allow')
  })

  it('challenges the third distinct order in the window and blocks the fourth, which is not recorded', () => {
    let window: CheckoutWindow = []
    const verdicts = ['ord_1', 'ord_2', 'ord_3', 'ord_4'].map((id, i) => {
      const r = countCheckout(window, id, T + i * 1000, rule)
      window = r.window
      return r.assessment.verdict
    })
    expect(verdicts).toEqual(['allow', 'allow', 'challenge', 'block'])
    expect(window.map((e) => e.orderId)).toEqual(['ord_1', 'ord_2', 'ord_3'])
  })

  it('forgets checkouts older than the window', () => {
    const old: CheckoutWindow = [{ orderId: 'ord_old', at: T - 10 * 60_000 }, { orderId: 'ord_recent', at: T - 60_000 }]
    const r = countCheckout(old, 'ord_new', T, rule)
    expect(r.window.map((e) => e.orderId)).toEqual(['ord_recent', 'ord_new'])
    expect(r.assessment.verdict).toBe('allow')
  })

  it('matches a model that keeps, per order, when it was first counted (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ order: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), dt: fc.integer({ min: 0, max: 4 * 60_000 }) }), { maxLength: 40 }), (steps) => {
        let window: CheckoutWindow = []
        const model = new Map<string, number>()
        let now = T
        for (const step of steps) {
          now += step.dt
          for (const [id, at] of model) if (at <= now - 10 * 60_000) model.delete(id)
          const n = [...model.keys()].filter((id) => id !== step.order).length + 1
          const expected = n >= rule.blockAt ? 'block' : n >= rule.challengeAt ? 'challenge' : 'allow'
          const r = countCheckout(window, step.order, now, rule)
          window = r.window
          expect(r.assessment.verdict).toBe(expected)
          if (expected !== 'block' && !model.has(step.order)) model.set(step.order, now)
          expect(new Map(window.map((e) => [e.orderId, e.at]))).toEqual(model)
        }
      }),
    )
  })
})
