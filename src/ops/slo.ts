/**
 * Service level objectives and their error budgets, as pure arithmetic (the SRE workbook's
 * terms). An objective says what fraction of events must be good over its period: availability
 * (an answer that is not a 5xx), latency (an answer within `thresholdMs`), a webhook delivered, a
 * notice sent in time. Counts come from metrics; these functions only judge them.
 */
export type Objective = {
  id: string
  description: string
  /** The fraction of events that must be good, 0 < target < 1 (0.999 is "three nines"). */
  target: number
  /** The period the budget is counted over (30 days is usual). */
  periodDays: number
}

/** Events in a window: how many there were, and how many were good. */
export type Counts = { total: number; good: number }

/** The fraction of events allowed to be bad: the error budget as a rate. */
export const budgetRate = (o: Pick<Objective, 'target'>): number => 1 - o.target

/**
 * How fast a window spends the budget: its bad fraction over the budget rate. 1 spends exactly
 * the budget over the period; 14.4 spends a 30-day budget's 2% in an hour. No events, no burn.
 */
export function burnRate(o: Pick<Objective, 'target'>, c: Counts): number {
  if (c.total <= 0) return 0
  const bad = Math.max(0, c.total - Math.min(c.good, c.total))
  return bad / c.total / budgetRate(o)
}

/** The part of the period's budget still left (1: untouched; 0 or less: spent), from the period's counts. */
export function budgetLeft(o: Pick<Objective, 'target'>, period: Counts): number {
  if (period.total <= 0) return 1
  const allowed = budgetRate(o) * period.total
  const bad = Math.max(0, period.total - Math.min(period.good, period.total))
  return 1 - bad / allowed
}
