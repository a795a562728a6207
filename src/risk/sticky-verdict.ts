import type { RiskDecision } from './risk-rules'

/**
 * One checkout (one order id) gets one verdict, however often it is retried: a retry decided
 * afresh could turn an automatic capture into a manual one (or the reverse) under the same
 * provider key, which the provider refuses, or charge a buyer the first try told "blocked".
 * Pure. `prior`: what the buyer's account remembers of this order id.
 * - never seen: decide now;
 * - seen, nothing noted: the first try was allowed (only other verdicts are noted);
 * - noted block or review: that again;
 * - noted challenge: decide now (nothing was charged; a retry with a code is what a challenge asks for).
 */
export type PriorVerdict = { kind: 'none' } | { kind: 'allowed' } | { kind: 'noted'; decision: NotedDecision }
export type NotedDecision = RiskDecision & { score: number }

export function stickyVerdict(prior: PriorVerdict, decideNow: () => NotedDecision): { decision: NotedDecision; note: boolean } {
  if (prior.kind === 'allowed') return { decision: { verdict: 'allow', hits: [], score: 0 }, note: false }
  if (prior.kind === 'noted' && prior.decision.verdict !== 'challenge') return { decision: prior.decision, note: false }
  const decision = decideNow()
  return { decision, note: decision.verdict !== 'allow' || prior.kind === 'noted' }
}

/** Noted verdicts, by order id, kept a day (as the checkout counts are) and at most this many. */
export const MAX_NOTED_VERDICTS = 200
export type NotedVerdicts = Record<string, NotedDecision & { at: number }>

export function noteVerdict(noted: NotedVerdicts, orderId: string, decision: NotedDecision, nowMs: number): NotedVerdicts {
  const live = Object.entries(noted).filter(([, v]) => v.at > nowMs - 86_400_000)
  const kept = [...live.filter(([id]) => id !== orderId), [orderId, { ...decision, at: nowMs }] as const].slice(-MAX_NOTED_VERDICTS)
  return Object.fromEntries(kept)
}
