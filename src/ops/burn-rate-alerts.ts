import { burnRate, type Counts, type Objective } from './slo'

/**
 * Multiwindow, multi-burn-rate alerts (the SRE workbook, chapter 5): an alert fires when both a
 * long window and a short one burn faster than the rule's rate. The long window makes it
 * significant (2% of a 30-day budget in an hour at 14.4×; 5% in six hours at 6×), the short one
 * makes it current, so it resolves soon after the cause is fixed. Pure.
 */
export type BurnRule = { id: string; severity: 'critical' | 'error'; longMinutes: number; shortMinutes: number; rate: number }

export const burnRules: readonly BurnRule[] = [
  { id: 'fast_burn', severity: 'critical', longMinutes: 60, shortMinutes: 5, rate: 14.4 },
  { id: 'slow_burn', severity: 'error', longMinutes: 360, shortMinutes: 30, rate: 6 },
]

/** Counts by window length in minutes: what the rules ask of the metrics. */
export type WindowCounts = ReadonlyMap<number, Counts>

export const windowsNeeded = (rules: readonly BurnRule[] = burnRules): number[] => [...new Set(rules.flatMap((r) => [r.longMinutes, r.shortMinutes]))].sort((a, b) => a - b)

export type Firing = { dedupKey: string; objective: string; rule: string; severity: BurnRule['severity']; longBurn: number; shortBurn: number }

/** The rules firing for an objective now. A window the metrics did not answer counts as no events. */
export function firing(o: Objective, counts: WindowCounts, rules: readonly BurnRule[] = burnRules): Firing[] {
  const none = { total: 0, good: 0 }
  return rules.flatMap((r) => {
    const longBurn = burnRate(o, counts.get(r.longMinutes) ?? none)
    const shortBurn = burnRate(o, counts.get(r.shortMinutes) ?? none)
    return longBurn > r.rate && shortBurn > r.rate ? [{ dedupKey: `${o.id}:${r.id}`, objective: o.id, rule: r.id, severity: r.severity, longBurn, shortBurn }] : []
  })
}

/** An alert as it is kept: open from `openedAt`, resolved at `resolvedAt`. */
export type Alert = { dedupKey: string; objective: string; rule: string; severity: BurnRule['severity']; openedAt: string; resolvedAt: string | null; summary: string }

export type AlertAction = { kind: 'trigger'; alert: Alert } | { kind: 'resolve'; alert: Alert }

/**
 * From the alerts open now and what fires now: what to tell the pager. A firing rule with no open
 * alert triggers one; an open alert whose rule no longer fires resolves; one still firing is left
 * alone (the pager is told once). Keyed by dedup key, so a retried evaluation repeats nothing.
 */
export function alertActions(open: readonly Alert[], now: readonly Firing[], at: string): AlertAction[] {
  const openKeys = new Set(open.map((a) => a.dedupKey))
  const firingKeys = new Set(now.map((f) => f.dedupKey))
  const triggers = now
    .filter((f) => !openKeys.has(f.dedupKey))
    .map((f): AlertAction => ({
      kind: 'trigger',
      alert: { dedupKey: f.dedupKey, objective: f.objective, rule: f.rule, severity: f.severity, openedAt: at, resolvedAt: null, summary: summaryOf(f) },
    }))
  const resolves = open.filter((a) => !firingKeys.has(a.dedupKey)).map((a): AlertAction => ({ kind: 'resolve', alert: { ...a, resolvedAt: at } }))
  return [...triggers, ...resolves]
}

const summaryOf = (f: Firing): string => `${f.objective}: error budget burning at ${f.longBurn.toFixed(1)}× (${f.rule.replace('_', ' ')})`
