import { histogramSize, metricKinds, minuteOf, type MetricKind, type MetricRollup, type MetricsQuery } from './metrics'
import { METRIC_NAME_PATTERN } from './slo-objectives'

/**
 * Workers Analytics Engine's SQL API, read for metric rollups. Each point was written as
 * `indexes: [kind], blobs: [kind, name], doubles: [durationMs, error ? 1 : 0, bucket]`
 * (metrics-adapters.ts); a query groups them by minute (or a coarser step), kind, name and bucket,
 * and weighs every row by `_sample_interval` (Analytics Engine samples under load: one stored row
 * may stand for several points), then the histograms are rebuilt here.
 */
export type AnalyticsEngineConfig = { apiBase: string; accountId: string; apiToken: string; dataset: string; fetch: typeof fetch }

/** A query for rollups, optionally coarser than a minute: each rollup's `minute` is then the start of its step. */
export type RollupQuery = MetricsQuery & { stepMs?: number }

const DATASET_PATTERN = /^[A-Za-z0-9_]{1,64}$/

/** The SQL for a query. Every value put in it is checked first: kinds from the fixed list, names by pattern, times as integers. */
export function rollupSql(dataset: string, q: RollupQuery): string {
  if (!DATASET_PATTERN.test(dataset)) throw new Error(`analytics engine: refusing dataset name ${JSON.stringify(dataset)}`)
  const stepSeconds = Math.max(60, Math.floor((q.stepMs ?? 60_000) / 60_000) * 60)
  const from = Math.floor(minuteOf(q.from) / 1000)
  const to = Math.ceil(q.to / 1000)
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new Error('analytics engine: the time range is not a number')
  const where = [`timestamp >= toDateTime(${from})`, `timestamp < toDateTime(${to})`]
  if (q.kinds) {
    for (const k of q.kinds) if (!(metricKinds as readonly string[]).includes(k)) throw new Error(`analytics engine: refusing kind ${JSON.stringify(k)}`)
    where.push(`blob1 IN (${q.kinds.map((k) => `'${k}'`).join(', ')})`)
  }
  if (q.names) {
    for (const n of q.names) if (!METRIC_NAME_PATTERN.test(n)) throw new Error(`analytics engine: refusing metric name ${JSON.stringify(n)}`)
    where.push(`blob2 IN (${q.names.map((n) => `'${n}'`).join(', ')})`)
  }
  if (q.kinds?.length === 0 || q.names?.length === 0) where.push('0 = 1')
  return [
    `SELECT intDiv(toUInt32(timestamp), ${stepSeconds}) * ${stepSeconds} AS t, blob1 AS kind, blob2 AS name, double3 AS bucket,`,
    `SUM(_sample_interval) AS n, SUM(_sample_interval * double2) AS errors`,
    `FROM ${dataset}`,
    `WHERE ${where.join(' AND ')}`,
    'GROUP BY t, kind, name, bucket',
    'ORDER BY t',
    'FORMAT JSON',
  ].join('\n')
}

/** One row of the answer (ClickHouse's JSON format may quote 64-bit numbers). */
type Row = { t: number | string; kind: string; name: string; bucket: number | string; n: number | string; errors: number | string }

const num = (v: unknown, what: string): number => {
  const n = typeof v === 'string' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`analytics engine: ${what} is not a number in the answer`)
  return n
}

/** The rows of an answer, summed into rollups (one per step, kind and name). */
export function rollupsOfRows(rows: readonly Row[]): MetricRollup[] {
  const out = new Map<string, MetricRollup>()
  for (const row of rows) {
    if (typeof row.kind !== 'string' || typeof row.name !== 'string') throw new Error('analytics engine: a row has no kind or name')
    if (!(metricKinds as readonly string[]).includes(row.kind)) continue // not ours: skipped, not fatal
    const minute = num(row.t, 't') * 1000
    const key = `${minute}|${row.kind}|${row.name}`
    let r = out.get(key)
    if (!r) {
      r = { minute, kind: row.kind as MetricKind, name: row.name, total: 0, errors: 0, histogram: new Array<number>(histogramSize).fill(0) }
      out.set(key, r)
    }
    const n = Math.round(num(row.n, 'n'))
    const bucket = Math.min(histogramSize - 1, Math.max(0, Math.trunc(num(row.bucket, 'bucket'))))
    r.total += n
    r.errors += Math.round(num(row.errors, 'errors'))
    r.histogram[bucket] = (r.histogram[bucket] ?? 0) + n
  }
  return [...out.values()].sort((a, b) => a.minute - b.minute)
}

export function analyticsEngine(cfg: AnalyticsEngineConfig) {
  return {
    async rollups(q: RollupQuery): Promise<MetricRollup[]> {
      if (!cfg.accountId || !cfg.apiToken) throw new Error('analytics engine: ANALYTICS_ACCOUNT_ID and the ANALYTICS_API_TOKEN secret must be set to read metrics')
      const sql = rollupSql(cfg.dataset, q)
      let res: Response
      try {
        res = await cfg.fetch(`${cfg.apiBase}/client/v4/accounts/${encodeURIComponent(cfg.accountId)}/analytics_engine/sql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${cfg.apiToken}`, 'content-type': 'text/plain' },
          body: sql,
        })
      } catch (err) {
        throw new Error(`analytics engine: the SQL API could not be reached: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
      }
      const text = await res.text()
      if (!res.ok) throw new Error(`analytics engine: the SQL API answered ${res.status}: ${text.slice(0, 300)}`)
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch (err) {
        throw new Error(`analytics engine: the SQL API's answer is not JSON: ${text.slice(0, 120)}`, { cause: err })
      }
      const data = (body as { data?: unknown }).data
      if (!Array.isArray(data)) throw new Error('analytics engine: the SQL API\'s answer has no data array')
      return rollupsOfRows(data as Row[])
    },
  }
}
