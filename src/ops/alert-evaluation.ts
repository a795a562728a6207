import { burnRules, firing, windowsNeeded, type BurnRule, type Firing, type WindowCounts } from './burn-rate-alerts'
import type { MetricRollup } from './metrics'
import { burnRate } from './slo'
import { countsOf, type SloObjective } from './slo-objectives'

/**
 * Burn-rate alerting as pure arithmetic over metrics rollups: for each objective, its good and
 * total events in each window the rules ask for (burn-rate-alerts.ts; good and total as its
 * indicator counts them, slo-objectives.ts), and the rules firing now. The alerts object reads the
 * rollups and keeps the alerts; this only judges them.
 */

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
export function evaluateObjectives(objectives: readonly SloObjective[], rollups: readonly MetricRollup[], nowMs: number, rules: readonly BurnRule[] = burnRules): ObjectiveEvaluation[] {
  const windows = windowsNeeded(rules).map((minutes) => ({ minutes, rollups: inWindow(rollups, nowMs, minutes) }))
  return objectives.map((o) => {
    const counts = new Map(windows.map((w) => [w.minutes, countsOf(o.indicator, w.rollups)] as const)) satisfies WindowCounts
    return {
      objective: o.id,
      windows: [...counts].map(([minutes, c]) => ({ minutes, ...c, burnRate: burnRate(o, c) })),
      firing: firing(o, counts, rules),
    }
  })
}
