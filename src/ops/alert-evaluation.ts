import { burnRules, firing, windowsNeeded, type BurnRule, type Firing, type WindowCounts } from './burn-rate-alerts'
import { durationBoundsMs, type MetricKind, type MetricRollup } from './metrics'
import { burnRate, type Counts, type Objective } from './slo'

/**
 * Burn-rate alerting as pure arithmetic over metrics rollups: for each objective, its good and
 * total events in each window the rules ask for (burn-rate-alerts.ts), and the rules firing now.
 * The alerts object reads the rollups and keeps the alerts; this only judges them.
 */

/**
 * What an objective says about which events count and which are good. Availability: an event is
 * good unless it failed. Latency: good when it took at most `thresholdMs` (a bound of the duration
 * histogram, so the count is exact; another value counts only the buckets wholly within it).
 */
export type AlertableObjective = Objective & {
  kind: MetricKind
  /** The metric names whose events count (routes, consumers, outcomes). */
  names: readonly string[]
  sli: 'availability' | 'latency'
  thresholdMs?: number
}

/** Good and total events of an objective in some rollups (those of other kinds or names are not its events). */
export function countsOf(o: AlertableObjective, rollups: readonly MetricRollup[]): Counts {
  const names = new Set(o.names)
  let total = 0
  let good = 0
  for (const r of rollups) {
    if (r.kind !== o.kind || !names.has(r.name)) continue
    total += r.total
    good += o.sli === 'availability' ? r.total - r.errors : withinThreshold(r.histogram, o.thresholdMs ?? 0)
  }
  return { total, good: Math.max(0, Math.min(good, total)) }
}

/** Events in the histogram's buckets whose upper bound is at most `thresholdMs` (never the overflow bucket). */
function withinThreshold(histogram: readonly number[], thresholdMs: number): number {
  let n = 0
  durationBoundsMs.forEach((bound, i) => {
    if (bound <= thresholdMs) n += histogram[i] ?? 0
  })
  return n
}

/**
 * The rollups of the last `minutes` before `nowMs`: those whose minute starts in [now − minutes, now).
 * A minute that began before the window is left out, so a window holds between minutes − 1 whole
 * minutes (plus the current one, still filling) and exactly `minutes`.
 */
export const inWindow = (rollups: readonly MetricRollup[], nowMs: number, minutes: number): MetricRollup[] => rollups.filter((r) => r.minute >= nowMs - minutes * 60_000 && r.minute < nowMs)

/** One window of an objective, as reported with its alerts. */
export type WindowReading = { minutes: number; total: number; good: number; burnRate: number }

export type ObjectiveEvaluation = { objective: string; windows: WindowReading[]; firing: Firing[] }

/** How far back the rules need metrics: the longest window, in minutes. */
export const lookbackMinutes = (rules: readonly BurnRule[] = burnRules): number => Math.max(...windowsNeeded(rules))

/** Each objective's windows and the rules firing for it at `nowMs`. */
export function evaluateObjectives(objectives: readonly AlertableObjective[], rollups: readonly MetricRollup[], nowMs: number, rules: readonly BurnRule[] = burnRules): ObjectiveEvaluation[] {
  const windows = windowsNeeded(rules).map((minutes) => ({ minutes, rollups: inWindow(rollups, nowMs, minutes) }))
  return objectives.map((o) => {
    const counts = new Map(windows.map((w) => [w.minutes, countsOf(o, w.rollups)] as const)) satisfies WindowCounts
    return {
      objective: o.id,
      windows: [...counts].map(([minutes, c]) => ({ minutes, ...c, burnRate: burnRate(o, c) })),
      firing: firing(o, counts, rules),
    }
  })
}
