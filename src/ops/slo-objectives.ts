import { z } from 'zod'
import { durationBoundsMs, histogramSize, metricKinds, type MetricKind, type MetricRollup } from './metrics'
import type { Counts, Objective } from './slo'

/**
 * Service level objectives as configuration (the `SLO_OBJECTIVES` var, a JSON array; the
 * defaults below when unset) and the service level indicator each one counts from metrics:
 * availability (good: the point is not an error) or latency (good: it took at most `thresholdMs`,
 * a bound of the duration histogram, so the count is exact). Pure.
 */
export type Sli = { kind: MetricKind; names: string[]; sli: 'availability' } | { kind: MetricKind; names: string[]; sli: 'latency'; thresholdMs: number }

export type SloObjective = Objective & { indicator: Sli }

/** Names as the metrics carry them: a route (`GET /v1/listings/:id`), a consumer, an object method, an outcome. */
export const METRIC_NAME_PATTERN = /^[A-Za-z0-9 _.:/{}-]{1,120}$/

const MetricName = z.string().regex(METRIC_NAME_PATTERN, 'must be 1 to 120 of A-Z a-z 0-9 space _ . : / { } -')

const IndicatorSchema = z.discriminatedUnion('sli', [
  z.strictObject({ kind: z.enum(metricKinds), names: z.array(MetricName).min(1).max(50), sli: z.literal('availability') }),
  z.strictObject({
    kind: z.enum(metricKinds),
    names: z.array(MetricName).min(1).max(50),
    sli: z.literal('latency'),
    thresholdMs: z.number().refine((ms) => (durationBoundsMs as readonly number[]).includes(ms), `must be a histogram bound: one of ${durationBoundsMs.join(', ')}`),
  }),
])

export const SloObjectiveSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be 1 to 64 of a-z 0-9 _'),
  description: z.string().min(1).max(200),
  target: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1'),
  periodDays: z.number().int().min(1).max(35),
  indicator: IndicatorSchema,
})

export const SloObjectivesSchema = z
  .array(SloObjectiveSchema)
  .max(50)
  .superRefine((objectives, ctx) => {
    const seen = new Set<string>()
    for (const o of objectives) {
      if (seen.has(o.id)) ctx.addIssue({ code: 'custom', message: `objective ${o.id} is defined twice` })
      seen.add(o.id)
    }
  })

const PERIOD_DAYS = 28
const bids = ['POST /v1/listings/:id/bids']
const checkout = ['POST /v1/checkout']
const reads = ['GET /v1/listings', 'GET /v1/listings/:id', 'GET /v1/listings/facets', 'GET /v1/me', 'GET /v1/orders', 'GET /v1/orders/:id']

/** What a deployment promises unless SLO_OBJECTIVES says otherwise. */
export const defaultObjectives: SloObjective[] = [
  { id: 'bids_availability', description: 'Bids answered without a server error', target: 0.999, periodDays: PERIOD_DAYS, indicator: { kind: 'route', names: bids, sli: 'availability' } },
  { id: 'bids_latency', description: 'Bids answered within 300 ms', target: 0.99, periodDays: PERIOD_DAYS, indicator: { kind: 'route', names: bids, sli: 'latency', thresholdMs: 300 } },
  { id: 'checkout_availability', description: 'Checkouts answered without a server error', target: 0.999, periodDays: PERIOD_DAYS, indicator: { kind: 'route', names: checkout, sli: 'availability' } },
  { id: 'checkout_latency', description: 'Checkouts answered within 2 s', target: 0.99, periodDays: PERIOD_DAYS, indicator: { kind: 'route', names: checkout, sli: 'latency', thresholdMs: 2000 } },
  { id: 'reads_availability', description: 'Listing, search, account and order reads answered without a server error', target: 0.999, periodDays: PERIOD_DAYS, indicator: { kind: 'route', names: reads, sli: 'availability' } },
  { id: 'reads_latency', description: 'Listing, search, account and order reads answered within 200 ms', target: 0.99, periodDays: PERIOD_DAYS, indicator: { kind: 'route', names: reads, sli: 'latency', thresholdMs: 200 } },
  { id: 'webhook_delivery', description: 'Webhook delivery attempts that reach the endpoint (a 2xx answer)', target: 0.99, periodDays: PERIOD_DAYS, indicator: { kind: 'outcome', names: ['webhook.delivery'], sli: 'availability' } },
  { id: 'notification_delay', description: 'Notifications sent within a minute of being due', target: 0.99, periodDays: PERIOD_DAYS, indicator: { kind: 'outcome', names: ['notification.delay'], sli: 'latency', thresholdMs: 60_000 } },
]

/** Whether a rollup is one of the indicator's events. */
export const counts = (sli: Sli, r: Pick<MetricRollup, 'kind' | 'name'>): boolean => r.kind === sli.kind && sli.names.includes(r.name)

/** The good events of one rollup under an indicator: not errors (availability), or within the threshold (latency, exact from the histogram). */
export function goodOf(sli: Sli, r: MetricRollup): number {
  if (sli.sli === 'availability') return Math.max(0, r.total - r.errors)
  const last = (durationBoundsMs as readonly number[]).indexOf(sli.thresholdMs)
  let good = 0
  for (let i = 0; i <= last && i < histogramSize; i++) good += r.histogram[i] ?? 0
  return good
}

/** Total and good events of an indicator over the given rollups (of any window). */
export function countsOf(sli: Sli, rollups: readonly MetricRollup[]): Counts {
  let total = 0
  let good = 0
  for (const r of rollups) {
    if (!counts(sli, r)) continue
    total += r.total
    good += goodOf(sli, r)
  }
  return { total, good }
}
