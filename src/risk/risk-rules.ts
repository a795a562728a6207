import { z } from 'zod'
import { riskActions, signalSpec, type AnySignals, type RiskAction } from './risk-signals'

/**
 * Risk rules as data (Stripe Radar's shape): each rule names an action, a verdict and a condition
 * over that action's signals. A condition is flat on purpose: every test in `all` holds, and at
 * least one in `any` when it is given. That covers "A and B", "A or B" and "A and (B or C)" while
 * staying a table staff can read and the OpenAPI document can describe without recursion.
 */
export const riskVerdicts = ['allow', 'challenge', 'review', 'block'] as const
export type RiskVerdict = (typeof riskVerdicts)[number]

export const comparisons = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const
export type Comparison = (typeof comparisons)[number]

export const RiskTest = z
  .object({
    signal: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
    op: z.enum(comparisons),
    value: z.union([z.number().finite(), z.boolean()]),
  })
  .strict()
export type RiskTest = z.infer<typeof RiskTest>

export const RiskRule = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
    action: z.enum(riskActions),
    verdict: z.enum(riskVerdicts),
    all: z.array(RiskTest).max(16).default([]),
    any: z.array(RiskTest).max(16).default([]),
    reason: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
  })
  .strict()
export type RiskRule = z.infer<typeof RiskRule>

export const MAX_RULES = 200

/** Why a rule set cannot be saved: each problem names the rule. */
export function ruleSetProblems(rules: readonly RiskRule[]): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  for (const rule of rules) {
    if (seen.has(rule.id)) problems.push(`${rule.id}: the id is used twice`)
    seen.add(rule.id)
    if (rule.all.length === 0 && rule.any.length === 0) problems.push(`${rule.id}: a rule needs at least one test in all or any`)
    for (const test of [...rule.all, ...rule.any]) {
      const spec = signalSpec(rule.action, test.signal)
      if (!spec) {
        problems.push(`${rule.id}: ${rule.action} has no signal ${test.signal}`)
        continue
      }
      if (spec.type === 'boolean' && (typeof test.value !== 'boolean' || (test.op !== 'eq' && test.op !== 'neq'))) problems.push(`${rule.id}: ${test.signal} is true or false; compare it with eq or neq to a boolean`)
      if (spec.type === 'number' && typeof test.value !== 'number') problems.push(`${rule.id}: ${test.signal} is a number`)
    }
  }
  return problems
}

function holds(test: RiskTest, signals: AnySignals): boolean {
  const actual = signals[test.signal]
  if (actual === undefined) return false
  switch (test.op) {
    case 'eq':
      return actual === test.value
    case 'neq':
      return actual !== test.value
    case 'gt':
      return actual > test.value
    case 'gte':
      return actual >= test.value
    case 'lt':
      return actual < test.value
    case 'lte':
      return actual <= test.value
  }
}

export function matches(rule: RiskRule, signals: AnySignals): boolean {
  return rule.enabled && rule.all.every((t) => holds(t, signals)) && (rule.any.length === 0 || rule.any.some((t) => holds(t, signals)))
}

export type RuleHit = { rule: string; reason: string }

export type RiskDecision = {
  verdict: RiskVerdict
  /** The rules that decided, each with its reason (empty for a plain allow). */
  hits: RuleHit[]
}

/**
 * Radar's order: challenge rules first (a caller who answered the challenge goes on), then allow
 * (which ends the evaluation), then block, then review. A challenge nobody can answer (no second
 * factor on the account) becomes a review: a person looks instead of the order being refused.
 */
export function decide(rules: readonly RiskRule[], action: RiskAction, signals: AnySignals, caller: { steppedUp: boolean; canStepUp: boolean }): RiskDecision {
  const hitsOf = (verdict: RiskVerdict) => rules.filter((r) => r.action === action && r.verdict === verdict && matches(r, signals)).map((r) => ({ rule: r.id, reason: r.reason }))
  const challenged = hitsOf('challenge')
  if (challenged.length > 0 && !caller.steppedUp && caller.canStepUp) return { verdict: 'challenge', hits: challenged }
  const allowed = hitsOf('allow')
  if (allowed.length > 0) return { verdict: 'allow', hits: allowed }
  const blocked = hitsOf('block')
  if (blocked.length > 0) return { verdict: 'block', hits: blocked }
  const unanswerable = challenged.length > 0 && !caller.steppedUp ? challenged : []
  const reviewed = [...hitsOf('review'), ...unanswerable]
  if (reviewed.length > 0) return { verdict: 'review', hits: reviewed }
  return { verdict: 'allow', hits: [] }
}

/** The reasons as the API shows them: `rule_id: reason`. */
export const reasonsOf = (d: RiskDecision): string[] => d.hits.map((h) => `${h.rule}: ${h.reason}`)

export type { RiskAction }
