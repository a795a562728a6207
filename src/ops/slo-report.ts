import { burnRules, firing, type BurnRule } from './burn-rate-alerts'
import { histogramSize, quantileMs, type MetricKind, type MetricRollup } from './metrics'
import { budgetLeft, burnRate, type Counts } from './slo'
import { counts, countsOf, goodOf, type Sli, type SloObjective } from './slo-objectives'

/**
 * The service level report (GET /v1/admin/slo, the console's SLO page): for each objective, its
 * period's counts, the error budget left, the burn rate over the alerting windows and the rules
 * firing; the busiest routes, consumers, object methods and outcomes of the last hour; and a
 * series over the last `hours` for the charts. Pure: rollups in, numbers out, never NaN.
 */
export const MAX_HOURS = 48
export const DEFAULT_HOURS = 6

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

/** The windows burn rates are reported over, in minutes (the burn-rate rules' long and short windows). */
export const burnWindows = { '5m': 5, '30m': 30, '1h': 60, '6h': 360 } as const
export type BurnWindow = keyof typeof burnWindows

/** The chart step for a window: a minute up to 2 hours, 5 minutes up to 12, 15 minutes up to 48. */
export function seriesStepMs(hours: number): number {
  if (hours <= 2) return MINUTE
  if (hours <= 12) return 5 * MINUTE
  return 15 * MINUTE
}

/** The series' window: `hours` of whole steps, ending with the step `now` is in. */
export function seriesWindow(now: number, hours: number): { from: number; to: number; stepMs: number } {
  const stepMs = seriesStepMs(hours)
  const to = now - (now % stepMs) + stepMs
  return { from: to - hours * HOUR, to, stepMs }
}

export type ObjectiveReport = {
  id: string
  description: string
  sli: Sli
  target: number
  periodDays: number
  period: Counts
  budgetLeft: number
  burnRates: Record<BurnWindow, number>
  /** Ids of the burn-rate rules firing now (`fast_burn`, `slow_burn`). */
  firing: string[]
}

export type RouteReport = { kind: MetricKind; name: string; total: number; ratePerSecond: number; errorRate: number; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null }

export type SeriesPoint = {
  /** Start of the step (ISO 8601). */
  at: string
  /** Route requests in the step, their error rate (0 without requests) and latency percentiles (null without requests). */
  requests: number
  errorRate: number
  p50Ms: number | null
  p99Ms: number | null
  /** Each objective's burn rate over the step, by objective id. */
  burn: Record<string, number>
}

export type SloReport = { generatedAt: string; hours: number; stepSeconds: number; objectives: ObjectiveReport[]; routes: RouteReport[]; series: SeriesPoint[] }

/**
 * The rollups a report is computed from. `recent`: by minute, at least the last 6 hours (burn
 * windows) and the last hour (routes). `period`: the objectives' periods, any step (hourly will
 * do; a step that starts before a period is left out, so a period counts to the hour); absent,
 * `recent` stands for it. `series`: the chart window at its step or finer; absent, `recent`.
 */
export type SloRollups = { recent: readonly MetricRollup[]; period?: readonly MetricRollup[]; series?: readonly MetricRollup[] }

export type SloReportOptions = { hours?: number; rules?: readonly BurnRule[] }

export const clampHours = (hours: number | undefined): number => Math.min(MAX_HOURS, Math.max(1, Math.trunc(hours ?? DEFAULT_HOURS)))

const within = (rollups: readonly MetricRollup[], from: number, to: number) => rollups.filter((r) => r.minute >= from && r.minute < to)

export function sloReport(objectives: readonly SloObjective[], rollups: SloRollups, now: Date, opts: SloReportOptions = {}): SloReport {
  const at = now.getTime()
  const hours = clampHours(opts.hours)
  const rules = opts.rules ?? burnRules
  const recent = rollups.recent
  const period = rollups.period ?? recent
  // The current minute counts: a window of w minutes is the w minutes up to and including now's.
  const end = at - (at % MINUTE) + MINUTE
  const windowCounts = (sli: Sli, minutes: number) => countsOf(sli, within(recent, end - minutes * MINUTE, end))

  const objectiveReports = objectives.map((o): ObjectiveReport => {
    const periodCounts = countsOf(o.indicator, within(period, at - o.periodDays * DAY, end))
    const burnRates = Object.fromEntries(Object.entries(burnWindows).map(([w, minutes]) => [w, burnRate(o, windowCounts(o.indicator, minutes))])) as Record<BurnWindow, number>
    const ruleWindows = new Map([...new Set(rules.flatMap((r) => [r.longMinutes, r.shortMinutes]))].map((m) => [m, windowCounts(o.indicator, m)]))
    return {
      id: o.id,
      description: o.description,
      sli: o.indicator,
      target: o.target,
      periodDays: o.periodDays,
      period: periodCounts,
      budgetLeft: budgetLeft(o, periodCounts),
      burnRates,
      firing: firing(o, ruleWindows, rules).map((f) => f.rule),
    }
  })

  return { generatedAt: now.toISOString(), hours, stepSeconds: seriesStepMs(hours) / 1000, objectives: objectiveReports, routes: routesOf(within(recent, end - HOUR, end)), series: seriesOf(objectives, rollups.series ?? recent, at, hours) }
}

type Merged = { kind: MetricKind; name: string; total: number; errors: number; histogram: number[] }

function merge(into: Merged, r: MetricRollup): void {
  into.total += r.total
  into.errors += r.errors
  for (let i = 0; i < histogramSize; i++) into.histogram[i] = (into.histogram[i] ?? 0) + (r.histogram[i] ?? 0)
}

const emptyHistogram = () => new Array<number>(histogramSize).fill(0)

/** Every name measured in the last hour, busiest first. */
function routesOf(lastHour: readonly MetricRollup[]): RouteReport[] {
  const byName = new Map<string, Merged>()
  for (const r of lastHour) {
    const key = `${r.kind}|${r.name}`
    let m = byName.get(key)
    if (!m) byName.set(key, (m = { kind: r.kind, name: r.name, total: 0, errors: 0, histogram: emptyHistogram() }))
    merge(m, r)
  }
  return [...byName.values()]
    .filter((m) => m.total > 0)
    .sort((a, b) => b.total - a.total || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
    .map((m) => ({ kind: m.kind, name: m.name, total: m.total, ratePerSecond: m.total / 3600, errorRate: m.errors / m.total, p50Ms: quantileMs(m.histogram, 0.5), p90Ms: quantileMs(m.histogram, 0.9), p99Ms: quantileMs(m.histogram, 0.99) }))
}

/** One point per step of the window, empty steps included, so a chart has no gaps. */
function seriesOf(objectives: readonly SloObjective[], rollups: readonly MetricRollup[], now: number, hours: number): SeriesPoint[] {
  const { from, to, stepMs } = seriesWindow(now, hours)
  const steps = Math.round((to - from) / stepMs)
  type Step = { routes: Merged; objectives: Counts[] }
  const buckets = Array.from({ length: steps }, (): Step => ({ routes: { kind: 'route', name: '', total: 0, errors: 0, histogram: emptyHistogram() }, objectives: objectives.map(() => ({ total: 0, good: 0 })) }))
  for (const r of rollups) {
    const step = r.minute >= from && r.minute < to ? buckets[Math.floor((r.minute - from) / stepMs)] : undefined
    if (!step) continue
    if (r.kind === 'route') merge(step.routes, r)
    objectives.forEach((o, j) => {
      const c = step.objectives[j]
      if (!c || !counts(o.indicator, r)) return
      c.total += r.total
      c.good += goodOf(o.indicator, r)
    })
  }
  return buckets.map(({ routes: m, objectives: c }, i) => ({
    at: new Date(from + i * stepMs).toISOString(),
    requests: m.total,
    errorRate: m.total > 0 ? m.errors / m.total : 0,
    p50Ms: quantileMs(m.histogram, 0.5),
    p99Ms: quantileMs(m.histogram, 0.99),
    burn: Object.fromEntries(objectives.map((o, j) => [o.id, burnRate(o, c[j] ?? { total: 0, good: 0 })])),
  }))
}
