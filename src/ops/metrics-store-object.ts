import { DurableObject } from 'cloudflare:workers'
import { histogramSize, metricKinds, minuteOf, type MetricKind, type MetricRollup } from './metrics'
import type { RollupQuery } from './analytics-engine-client'

/** The one local metrics store (LOCAL_METRICS, when METRICS_STORE = "local": development, the tests, the bench). */
export const metricsStoreStub = (env: Env) => env.LOCAL_METRICS.get(env.LOCAL_METRICS.idFromName('local'))

/** What is kept: 35 days, more than a 28-day objective's period. */
export const RETENTION_MS = 35 * 86_400_000
const DAY_MS = 86_400_000

/** The histogram's columns h0…h16, one per bucket of `durationBoundsMs` (and the overflow). */
const buckets = Array.from({ length: histogramSize }, (_, i) => `h${i}`)

type Row = { m: number; kind: string; name: string; total: number; errors: number } & Record<string, number | string>

/**
 * Metrics kept in development, where Workers Analytics Engine cannot be read back: one row per
 * (minute, kind, name) with the count, the errors and the histogram as one integer column per
 * bucket. Chosen over a row per bucket or a JSON histogram because every write is then a single
 * SQL upsert that adds columns (no read-modify-write), a coarser step is a GROUP BY with SUMs,
 * and a rollup is exactly one row. Isolates send their buffered rollups about once a second; an
 * alarm drops rows older than 35 days once a day.
 */
export class MetricsStoreObject extends DurableObject<Env> {
  private alarmArmed = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS rollups (
      minute INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, total INTEGER NOT NULL, errors INTEGER NOT NULL,
      ${buckets.map((b) => `${b} INTEGER NOT NULL DEFAULT 0`).join(', ')},
      PRIMARY KEY (minute, kind, name))`)
  }

  /** Adds rollups into the rows of their minutes (a rollup for a minute already kept adds to it). Returns how many were taken. */
  async add(rollups: MetricRollup[]): Promise<number> {
    const sql = `INSERT INTO rollups (minute, kind, name, total, errors, ${buckets.join(', ')}) VALUES (${new Array(5 + histogramSize).fill('?').join(', ')})
      ON CONFLICT (minute, kind, name) DO UPDATE SET total = total + excluded.total, errors = errors + excluded.errors, ${buckets.map((b) => `${b} = ${b} + excluded.${b}`).join(', ')}`
    let taken = 0
    this.ctx.storage.transactionSync(() => {
      for (const r of rollups) {
        if (!(metricKinds as readonly string[]).includes(r.kind) || !Number.isFinite(r.minute)) continue
        const histogram = buckets.map((_, i) => Math.max(0, Math.trunc(r.histogram[i] ?? 0)))
        this.ctx.storage.sql.exec(sql, minuteOf(r.minute), r.kind, r.name, Math.trunc(r.total), Math.trunc(r.errors), ...histogram)
        taken++
      }
    })
    if (!this.alarmArmed) {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + DAY_MS)
      this.alarmArmed = true
    }
    return taken
  }

  /** Rollups in [from, to), of the given kinds and names, by minute (or by `stepMs`, a whole number of minutes), oldest first. */
  rollups(q: RollupQuery): MetricRollup[] {
    const step = Math.max(60_000, Math.floor((q.stepMs ?? 60_000) / 60_000) * 60_000)
    const where = ['minute >= ?', 'minute < ?']
    const params: Array<string | number> = [minuteOf(q.from), q.to]
    if (q.kinds) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ') || 'NULL'})`)
      params.push(...q.kinds)
    }
    if (q.names) {
      where.push(`name IN (${q.names.map(() => '?').join(', ') || 'NULL'})`)
      params.push(...q.names)
    }
    const rows = this.ctx.storage.sql
      .exec<Row>(
        `SELECT (minute - minute % ${step}) AS m, kind, name, SUM(total) AS total, SUM(errors) AS errors, ${buckets.map((b) => `SUM(${b}) AS ${b}`).join(', ')}
         FROM rollups WHERE ${where.join(' AND ')} GROUP BY m, kind, name ORDER BY m, kind, name`,
        ...params,
      )
      .toArray()
    return rows.map((row) => ({ minute: row.m, kind: row.kind as MetricKind, name: row.name, total: row.total, errors: row.errors, histogram: buckets.map((b) => Number(row[b] ?? 0)) }))
  }

  /** Drops what is older than the retention, then comes back in a day. */
  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM rollups WHERE minute < ?', Date.now() - RETENTION_MS)
    await this.ctx.storage.setAlarm(Date.now() + DAY_MS)
  }
}
