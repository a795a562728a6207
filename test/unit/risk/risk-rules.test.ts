import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultRiskRules } from '../../../src/risk/default-rules'
import { decide, matches, reasonsOf, RiskRule, ruleSetProblems, riskVerdicts, type RiskVerdict } from '../../../src/risk/risk-rules'

const r = (over: Partial<RiskRule> & Pick<RiskRule, 'id' | 'verdict'>): RiskRule => ({ action: 'checkout', all: [{ signal: 'amount', op: 'gte', value: 100 }], any: [], reason: over.id, enabled: true, ...over })
const canAnswer = { steppedUp: false, canStepUp: true }

describe('matches', () => {
  it('needs every test in all and one in any', () => {
    const rule = r({ id: 'x', verdict: 'block', all: [{ signal: 'amount', op: 'gte', value: 100 }], any: [{ signal: 'country_mismatch', op: 'eq', value: true }, { signal: 'buyer_cards_24h', op: 'gt', value: 2 }] })
    expect(matches(rule, { amount: 100, country_mismatch: true, buyer_cards_24h: 1 })).toBe(true)
    expect(matches(rule, { amount: 100, country_mismatch: false, buyer_cards_24h: 3 })).toBe(true)
    expect(matches(rule, { amount: 100, country_mismatch: false, buyer_cards_24h: 2 })).toBe(false)
    expect(matches(rule, { amount: 99, country_mismatch: true, buyer_cards_24h: 3 })).toBe(false)
  })

  it('compares with each operator, and a missing signal never holds', () => {
    const at = (op: RiskRule['all'][number]['op'], value: number) => matches(r({ id: 'x', verdict: 'block', all: [{ signal: 'amount', op, value }] }), { amount: 5 })
    expect([at('gt', 5), at('gte', 5), at('lt', 5), at('lte', 5), at('eq', 5), at('neq', 5)]).toEqual([false, true, false, true, true, false])
    expect(matches(r({ id: 'x', verdict: 'block' }), {})).toBe(false)
  })

  it('never matches a disabled rule', () => {
    expect(matches(r({ id: 'x', verdict: 'block', enabled: false }), { amount: 1000 })).toBe(false)
  })
})

describe('decide, in Radar’s order', () => {
  const rules = [r({ id: 'c', verdict: 'challenge' }), r({ id: 'a', verdict: 'allow', all: [{ signal: 'amount', op: 'gte', value: 500 }] }), r({ id: 'b', verdict: 'block', all: [{ signal: 'amount', op: 'gte', value: 300 }] }), r({ id: 'v', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 200 }] })]

  it('challenges first, unless the caller answered the challenge', () => {
    expect(decide(rules, 'checkout', { amount: 1000 }, canAnswer)).toEqual({ verdict: 'challenge', hits: [{ rule: 'c', reason: 'c' }] })
    expect(decide(rules, 'checkout', { amount: 1000 }, { steppedUp: true, canStepUp: true }).verdict).toBe('allow')
  })

  it('lets an allow rule end the evaluation before block and review', () => {
    expect(decide(rules, 'checkout', { amount: 600 }, { steppedUp: true, canStepUp: true })).toEqual({ verdict: 'allow', hits: [{ rule: 'a', reason: 'a' }] })
  })

  it('blocks before it reviews', () => {
    expect(decide(rules, 'checkout', { amount: 300 }, { steppedUp: true, canStepUp: true }).verdict).toBe('block')
    expect(decide(rules, 'checkout', { amount: 250 }, { steppedUp: true, canStepUp: true }).verdict).toBe('review')
    expect(decide(rules, 'checkout', { amount: 150 }, { steppedUp: true, canStepUp: true })).toEqual({ verdict: 'allow', hits: [] })
  })

  it('reviews a challenge nobody can answer, unless a block rule matches', () => {
    expect(decide(rules, 'checkout', { amount: 150 }, { steppedUp: false, canStepUp: false })).toEqual({ verdict: 'review', hits: [{ rule: 'c', reason: 'c' }] })
    expect(decide(rules, 'checkout', { amount: 300 }, { steppedUp: false, canStepUp: false }).verdict).toBe('block')
  })

  it('only runs the rules of the action asked about', () => {
    expect(decide([r({ id: 'p', verdict: 'block', action: 'payout' })], 'checkout', { amount: 1000 }, canAnswer).verdict).toBe('allow')
  })

  it('gives reasons as rule id and reason', () => {
    expect(reasonsOf({ verdict: 'block', hits: [{ rule: 'b', reason: 'too much' }] })).toEqual(['b: too much'])
  })

  it('answers by the first group in order that has a match, whatever rules exist (property)', () => {
    const verdict = fc.constantFrom(...riskVerdicts)
    const ruleArb = fc.record({ verdict, threshold: fc.integer({ min: 0, max: 100 }) })
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 12 }), fc.integer({ min: 0, max: 100 }), fc.boolean(), fc.boolean(), (specs, amount, steppedUp, canStepUp) => {
        const set = specs.map((s, i) => r({ id: `r${i}`, verdict: s.verdict, all: [{ signal: 'amount', op: 'gte', value: s.threshold }] }))
        const hit = (v: RiskVerdict) => specs.some((s) => s.verdict === v && amount >= s.threshold)
        const d = decide(set, 'checkout', { amount }, { steppedUp, canStepUp })
        const expected: RiskVerdict =
          hit('challenge') && !steppedUp && canStepUp ? 'challenge' : hit('allow') ? 'allow' : hit('block') ? 'block' : hit('review') || (hit('challenge') && !steppedUp) ? 'review' : 'allow'
        expect(d.verdict).toBe(expected)
        for (const h of d.hits) expect(set.find((x) => x.id === h.rule)?.verdict === d.verdict || (d.verdict === 'review' && set.find((x) => x.id === h.rule)?.verdict === 'challenge')).toBe(true)
      }),
    )
  })
})

describe('ruleSetProblems', () => {
  it('accepts the default rules', () => {
    expect(ruleSetProblems(defaultRiskRules)).toEqual([])
    for (const rule of defaultRiskRules) expect(RiskRule.parse(rule)).toEqual(rule)
  })

  it('names unknown signals, wrong types, repeated ids and empty rules', () => {
    const problems = ruleSetProblems([
      r({ id: 'a', verdict: 'block', all: [{ signal: 'shares_ip_with_seller', op: 'eq', value: true }] }),
      r({ id: 'a', verdict: 'block', all: [{ signal: 'country_mismatch', op: 'gt', value: 1 }] }),
      r({ id: 'c', verdict: 'block', all: [{ signal: 'amount', op: 'gt', value: true }] }),
      r({ id: 'd', verdict: 'block', all: [] }),
    ])
    expect(problems).toEqual([
      'a: checkout has no signal shares_ip_with_seller',
      'a: the id is used twice',
      'a: country_mismatch is true or false; compare it with eq or neq to a boolean',
      'c: amount is a number',
      'd: a rule needs at least one test in all or any',
    ])
  })

  it('refuses unknown fields and bad ids in the schema', () => {
    expect(RiskRule.safeParse({ id: 'Bad Id', action: 'checkout', verdict: 'block', all: [], reason: 'x' }).success).toBe(false)
    expect(RiskRule.safeParse({ id: 'x', action: 'checkout', verdict: 'block', all: [], reason: 'x', extra: 1 }).success).toBe(false)
    expect(RiskRule.safeParse({ id: 'x', action: 'refund', verdict: 'block', all: [], reason: 'x' }).success).toBe(false)
  })
})
