import { TracedObject } from '../platform/traced-object'
import type { SignalCounts, SignalEvent } from './signal-log'

/** The signal shard of one keyed pseudonym: `ip:…`, `device:…` or `card:…`. */
export const riskSignalsStub = (env: Env, subject: string) => env.RISK_SIGNALS.get(env.RISK_SIGNALS.idFromName(subject))

const HOUR = 3_600_000
const DAY = 24 * HOUR

/**
 * Velocity kept where it scales: one object per IP pseudonym, device or payment method, so the
 * counters spread with the traffic instead of meeting in one place. Each call records an event
 * and answers the counts before it, in one round trip. It counts exactly as the pure log of
 * signal-log.ts does (a test holds the two together); rows live in SQLite rather than one stored
 * value because a busy address or a shared card may log thousands a day.
 */
export class RiskSignalsObject extends TracedObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS events (
      kind TEXT NOT NULL, id TEXT NOT NULL, subject TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (kind, id))`)
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS events_at ON events (at)')
  }

  observe(event: SignalEvent, nowMs: number): SignalCounts {
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM events WHERE at <= ?', nowMs - DAY)
    const [counts] = sql
      .exec<{ lastHour: number; lastDay: number; subjects: number }>(
        `SELECT
           (SELECT count(*) FROM events WHERE kind = ?1 AND id <> ?2 AND at > ?3) AS lastHour,
           (SELECT count(*) FROM events WHERE kind = ?1 AND id <> ?2) AS lastDay,
           (SELECT count(DISTINCT s) FROM (SELECT subject AS s FROM events WHERE kind = ?1 AND id <> ?2 UNION ALL SELECT ?4)) AS subjects`,
        event.kind,
        event.id,
        nowMs - HOUR,
        event.subject,
      )
      .toArray()
    sql.exec('INSERT OR IGNORE INTO events (kind, id, subject, at) VALUES (?, ?, ?, ?)', event.kind, event.id, event.subject, nowMs)
    return { lastHour: counts?.lastHour ?? 0, lastDay: counts?.lastDay ?? 0, subjectsLastDay: counts?.subjects ?? 1 }
  }
}
