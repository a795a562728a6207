/**
 * What Souk measures, as pure values: one point per handled unit of work (a request's route, a
 * queue message in a consumer, a Durable Object method, a business outcome such as a checkout's
 * decline or a webhook's delivery), with whether it failed and how long it took. Sinks write
 * points (Workers Analytics Engine in production, the local store in development); readers give
 * them back as per-minute rollups, which every report (SLOs, burn rates, charts) is computed from.
 */
export const metricKinds = ['route', 'consumer', 'object', 'outcome'] as const
export type MetricKind = (typeof metricKinds)[number]

export type MetricPoint = {
  kind: MetricKind
  /**
   * What was measured: `POST /v1/listings/:id/bids` (the route pattern, never the raw path),
   * `notifications` (a consumer), `ListingObject.placeBid`, `checkout.payment`, `webhook.delivery`,
   * `notification.delay`.
   */
  name: string
  /** A failure: a 5xx answer, a message retried or dead-lettered, a method that threw, a declined payment. */
  error: boolean
  durationMs: number
  /** Epoch milliseconds. */
  at: number
}

/** Writes points; never blocks or fails its caller (a lost point is a smaller harm than a lost request). */
export interface MetricsSink {
  record(point: MetricPoint): void
}

/**
 * Upper bounds (ms) of the duration histogram: an hdr-like 1-2-5 ladder from 1 ms to 60 s, then
 * everything slower. Latency objectives' thresholds must be one of these bounds, so "within the
 * threshold" is an exact count, not an estimate.
 */
export const durationBoundsMs = [1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000] as const
export const histogramSize = durationBoundsMs.length + 1

/** The histogram bucket a duration falls into: the first bound it does not exceed, else the last (overflow). */
export function bucketOf(durationMs: number): number {
  const i = durationBoundsMs.findIndex((b) => durationMs <= b)
  return i === -1 ? durationBoundsMs.length : i
}

/** One (minute, kind, name): how many points, how many failed, and their durations by bucket. */
export type MetricRollup = {
  /** Start of the minute, epoch ms. */
  minute: number
  kind: MetricKind
  name: string
  total: number
  errors: number
  /** Counts per bucket of `durationBoundsMs`, length `histogramSize`. */
  histogram: number[]
}

export type MetricsQuery = {
  /** Epoch ms, inclusive; rounded down to the minute by readers. */
  from: number
  /** Epoch ms, exclusive. */
  to: number
  kinds?: readonly MetricKind[]
  names?: readonly string[]
}

/** Reads rollups back: the local store in development, Analytics Engine's SQL API in production. */
export interface MetricsReader {
  rollups(query: MetricsQuery): Promise<MetricRollup[]>
}

export const minuteOf = (epochMs: number): number => epochMs - (epochMs % 60_000)

/** Adds points into rollups by (minute, kind, name): what a sink buffers and a store keeps. */
export function rollUp(points: readonly MetricPoint[], into: Map<string, MetricRollup> = new Map()): Map<string, MetricRollup> {
  for (const p of points) {
    const minute = minuteOf(p.at)
    const key = `${minute}|${p.kind}|${p.name}`
    let r = into.get(key)
    if (!r) {
      r = { minute, kind: p.kind, name: p.name, total: 0, errors: 0, histogram: new Array<number>(histogramSize).fill(0) }
      into.set(key, r)
    }
    r.total += 1
    if (p.error) r.errors += 1
    const b = bucketOf(p.durationMs)
    r.histogram[b] = (r.histogram[b] ?? 0) + 1
  }
  return into
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram: the upper bound of the bucket it falls in (overflow:
 * the last bound), so a p99 of 200 means "99% took at most 200 ms". Null without points.
 */
export function quantileMs(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0)
  if (total === 0) return null
  const rank = Math.ceil(q * total)
  let seen = 0
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0
    if (seen >= rank) return boundAt(i)
  }
  return boundAt(durationBoundsMs.length)
}

/** The upper bound of bucket i; the overflow bucket reports the last bound. */
const boundAt = (i: number): number => durationBoundsMs[Math.min(i, durationBoundsMs.length - 1)] ?? 60_000
