import { settingsOf } from '../config'
import { flushLocalMetrics, metricsReaderOf } from './metrics-adapters'
import type { MetricKind } from './metrics'
import { burnWindows, clampHours, seriesWindow, sloReport, type SloReport } from './slo-report'

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

/**
 * The SLO report from the metrics this deployment keeps (METRICS_STORE): three reads, side by
 * side: the objectives' periods by the hour, the last 6 hours by the minute (burn windows and
 * the busiest routes), and the chart window at its step.
 */
export async function loadSloReport(env: Env, now: Date, hours: number): Promise<SloReport> {
  const { objectives } = settingsOf(env).metrics
  const reader = metricsReaderOf(env)
  const at = now.getTime()
  const end = at - (at % MINUTE) + MINUTE
  const h = clampHours(hours)
  const series = seriesWindow(at, h)
  const longestPeriod = Math.max(1, ...objectives.map((o) => o.periodDays))
  const kinds = [...new Set(objectives.map((o) => o.indicator.kind))] as MetricKind[]
  const names = [...new Set(objectives.flatMap((o) => o.indicator.names))]
  const recentFrom = end - Math.max(...Object.values(burnWindows), 60) * MINUTE
  // One flush before the reads (each local read flushes too, but three at once would race their own flush).
  if (settingsOf(env).metrics.store === 'local') await flushLocalMetrics(env)
  const [period, recent, seriesRollups] = await Promise.all([
    objectives.length === 0 ? Promise.resolve([]) : reader.rollups({ from: at - longestPeriod * DAY, to: end, kinds, names, stepMs: HOUR }),
    reader.rollups({ from: recentFrom, to: end }),
    reader.rollups({ from: series.from, to: series.to, stepMs: series.stepMs }),
  ])
  return sloReport(objectives, { recent, period, series: seriesRollups }, now, { hours: h })
}
