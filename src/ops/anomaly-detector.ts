import type { Firing } from './burn-rate-alerts'
import type { MetricRollup } from './metrics'

/**
 * An anomaly detector for failure rates that have no objective of their own: the checkout decline
 * rate (`checkout.payment` outcomes that were declined or failed) and the webhook failure rate
 * (`webhook.delivery` outcomes not delivered). A baseline is learnt from the per-minute rates
 * before the current window as an exponentially weighted moving average with its variance; the
 * current window is anomalous when its rate is above an absolute floor, above the baseline by at
 * least k standard deviations (and a minimum lift), and rests on enough events. An open anomaly
 * stays open while the rate stays above the floor (the baseline soon learns a lasting rate, which
 * must not resolve it). Pure: the alerts object hands in rollups and the time.
 */
export type AnomalySeries = { id: string; name: string; label: string }

export const anomalySeries: readonly AnomalySeries[] = [
  { id: 'checkout_decline_rate', name: 'checkout.payment', label: 'checkout decline rate' },
  { id: 'webhook_failure_rate', name: 'webhook.delivery', label: 'webhook failure rate' },
]

export type AnomalySettings = {
  /** The rate below which nothing is anomalous (0.2: a fifth of the window's events failed). */
  floor: number
  /** Fewer events than this in the current window say nothing. */
  minEvents: number
  /** How many standard deviations above the baseline's mean. */
  k: number
  /** The smallest lift above the mean that counts, so a flat baseline (σ = 0) does not fire on noise. */
  minLift: number
  /** The EWMA's weight of each new minute, 0 < alpha ≤ 1. */
  alpha: number
  /** The current window, in minutes. */
  currentMinutes: number
  /** The minutes before the current window the baseline learns from. */
  baselineMinutes: number
}

export const defaultAnomalySettings: AnomalySettings = { floor: 0.2, minEvents: 20, k: 3, minLift: 0.05, alpha: 0.1, currentMinutes: 5, baselineMinutes: 120 }

export type Baseline = { mean: number; sd: number; minutes: number }

/**
 * The EWMA of a series and its exponentially weighted variance (Finch, "Incremental calculation
 * of weighted mean and variance", 2009): starts at the first value with no variance. Nothing
 * seen: a zero baseline.
 */
export function ewma(values: readonly number[], alpha: number): Baseline {
  let mean = 0
  let variance = 0
  values.forEach((x, i) => {
    if (i === 0) {
      mean = x
      return
    }
    const diff = x - mean
    const incr = alpha * diff
    mean += incr
    variance = (1 - alpha) * (variance + diff * incr)
  })
  return { mean, sd: Math.sqrt(Math.max(0, variance)), minutes: values.length }
}

export type AnomalyReading = {
  series: string
  /** The current window's failed fraction (0 without events). */
  rate: number
  events: number
  baseline: Baseline
  /** The rate the current window must exceed. */
  threshold: number
  anomalous: boolean
}

/** A firing anomaly: shaped as a burn-rate firing (for the same reducer and pager), with its reading and summary. */
export type AnomalyFiring = Firing & { reading: AnomalyReading; summary: string }

export const anomalyDedupKey = (seriesId: string): string => `anomaly:${seriesId}`

/** Per series: the current window's rate against the baseline, and the anomalies firing at `nowMs`. */
export function detectAnomalies(
  rollups: readonly MetricRollup[],
  nowMs: number,
  open: ReadonlySet<string> = new Set(),
  settings: AnomalySettings = defaultAnomalySettings,
  series: readonly AnomalySeries[] = anomalySeries,
): { readings: AnomalyReading[]; firing: AnomalyFiring[] } {
  const currentFrom = nowMs - settings.currentMinutes * 60_000
  const baselineFrom = currentFrom - settings.baselineMinutes * 60_000
  const readings: AnomalyReading[] = []
  const fired: AnomalyFiring[] = []
  for (const s of series) {
    const own = rollups.filter((r) => r.kind === 'outcome' && r.name === s.name && r.minute < nowMs)
    const current = own.filter((r) => r.minute >= currentFrom)
    const events = sum(current.map((r) => r.total))
    const rate = events > 0 ? sum(current.map((r) => r.errors)) / events : 0
    const baseline = ewma(perMinuteRates(own.filter((r) => r.minute >= baselineFrom && r.minute < currentFrom)), settings.alpha)
    const threshold = Math.max(settings.floor, baseline.mean + Math.max(settings.k * baseline.sd, settings.minLift))
    const dedupKey = anomalyDedupKey(s.id)
    const enough = events >= settings.minEvents
    // A jump above the baseline opens it; staying above the floor keeps it open.
    const anomalous = enough && (rate > threshold || (open.has(dedupKey) && rate > settings.floor))
    const reading = { series: s.id, rate, events, baseline, threshold, anomalous }
    readings.push(reading)
    if (anomalous) {
      fired.push({
        dedupKey,
        objective: s.id,
        rule: 'ewma_anomaly',
        severity: 'error',
        longBurn: rate,
        shortBurn: baseline.mean,
        reading,
        summary: `${s.label} at ${pct(rate)} over the last ${settings.currentMinutes} min (${events} events; baseline ${pct(baseline.mean)} ± ${pct(baseline.sd)})`,
      })
    }
  }
  return { readings, firing: fired }
}

/** Failed fractions of the minutes that had events, oldest first (one rollup per minute and name, merged if not). */
function perMinuteRates(rollups: readonly MetricRollup[]): number[] {
  const byMinute = new Map<number, { total: number; errors: number }>()
  for (const r of rollups) {
    const m = byMinute.get(r.minute) ?? { total: 0, errors: 0 }
    m.total += r.total
    m.errors += r.errors
    byMinute.set(r.minute, m)
  }
  return [...byMinute]
    .filter(([, m]) => m.total > 0)
    .sort(([a], [b]) => a - b)
    .map(([, m]) => m.errors / m.total)
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
