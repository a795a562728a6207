import { TracedObject } from '../platform/traced-object'
import { settingsOf } from '../config'
import type { Logger } from '../core/logger'
import { rootLogger } from '../platform/runtime'
import { evaluateObjectives, lookbackMinutes } from './alert-evaluation'
import { anomalySeries, detectAnomalies } from './anomaly-detector'
import { alertActions, type Alert, type AlertAction, type Firing } from './burn-rate-alerts'
import type { MetricKind, MetricsReader } from './metrics'
import { metricsReaderOf } from './metrics-adapters'
import { pagerDuty, type PagerConfig } from './pagerduty-client'

/** The one alerts object of the deployment. */
export const alertsStub = (env: Env) => env.ALERTS.get(env.ALERTS.idFromName('global'))

export type AlertSource = 'burn_rate' | 'anomaly'
export type AlertStatus = 'open' | 'resolved'

/** An alert as listed (GET /v1/admin/alerts). */
export type AlertView = {
  id: number
  dedupKey: string
  source: AlertSource
  /** The objective (burn rate) or the watched rate (anomaly). */
  objective: string
  rule: string
  severity: 'critical' | 'error'
  summary: string
  status: AlertStatus
  openedAt: string
  resolvedAt: string | null
}

export type AlertQuery = { status: AlertStatus | 'all'; limit: number; before?: number }
export type PagerState = { configured: boolean; pendingSends: number }
export type AlertPage = { data: AlertView[]; hasMore: boolean; pager: PagerState }

/** What one evaluation did (the `evaluate` RPC's answer; tests read it). */
export type Evaluation = { at: string; evaluated: boolean; triggered: string[]; resolved: string[]; sent: number; pendingSends: number }

type AlertRow = { id: number; dedup_key: string; source: string; objective: string; rule: string; severity: string; summary: string; opened_at: string; resolved_at: string | null }
type SendRow = { seq: number; action: string; alert: string; attempts: number }

/**
 * Burn-rate and anomaly alerts (docs/OPERATIONS.md "Alerts"): one object, whose alarm evaluates
 * every ALERT_EVALUATION_SECONDS (cron never fires locally, so the worker arms it: `ensureRunning`).
 * Each evaluation reads six hours of metrics rollups, judges every objective's burn-rate rules and
 * the anomaly detector, opens and resolves alerts by dedup key (burn-rate-alerts.ts `alertActions`:
 * a state that did not change tells the pager nothing), keeps them in its SQLite, and pages through
 * PagerDuty's Events API. A send PagerDuty may take later (429, 5xx, the network) is kept and tried
 * again, in order, at the next evaluation; without PAGERDUTY_ROUTING_KEY alerts are kept and listed
 * and nothing is paged (a warning says so once).
 */
export class AlertsObject extends TracedObject {
  /** The clock evaluations judge by; tests replace it through `runInDurableObject` to move time. */
  now = (): number => Date.now()
  /** Where metrics are read from. */
  metrics = (): MetricsReader => metricsReaderOf(this.env)
  /** The pager, or null when PagerDuty is not configured; tests hand in a fake receiver's fetch here. */
  pager = (): PagerConfig | null => {
    const { pagerDuty: pd } = settingsOf(this.env).alerts
    return pd.routingKey ? { apiBase: pd.apiBase, routingKey: pd.routingKey, source: `souk-${settingsOf(this.env).environment}`, fetch: (input, init) => fetch(input, init) } : null
  }

  private warnedUnpaged = false
  /** Evaluations run one at a time (RPC and alarm may overlap while one awaits metrics or the pager). */
  private running: Promise<unknown> = Promise.resolve()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS alerts (
      id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL, source TEXT NOT NULL, objective TEXT NOT NULL, rule TEXT NOT NULL,
      severity TEXT NOT NULL, summary TEXT NOT NULL, opened_at TEXT NOT NULL, resolved_at TEXT)`)
    // One open alert per dedup key; a resolved one may open again later, as a new alert.
    ctx.storage.sql.exec('CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts (dedup_key) WHERE resolved_at IS NULL')
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS pager_sends (seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, alert TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT)')
  }

  /** Arms the evaluation alarm unless one is set. True when it armed it. Called once per isolate by the worker. */
  async ensureRunning(): Promise<boolean> {
    if ((await this.ctx.storage.getAlarm()) !== null) return false
    await this.ctx.storage.setAlarm(Date.now() + this.intervalMs())
    return true
  }

  override async alarm(): Promise<void> {
    try {
      await this.evaluate(this.now())
    } catch (err) {
      this.log().error('alerts_evaluation_failed', { error: err instanceof Error ? err.message : String(err) })
    } finally {
      await this.ctx.storage.setAlarm(Date.now() + this.intervalMs())
    }
  }

  /** Evaluates every alert as of `nowMs`, then sends what the pager has not been told. */
  evaluate(nowMs: number): Promise<Evaluation> {
    const run = this.running.then(() => this.evaluateNow(nowMs))
    this.running = run.catch(() => undefined)
    return run
  }

  /** Alerts, newest first. */
  list(q: AlertQuery): AlertPage {
    const rows = this.ctx.storage.sql
      .exec<AlertRow>(
        `SELECT * FROM alerts WHERE (?1 IS NULL OR id < ?1) AND (?2 = 'all' OR (?2 = 'open' AND resolved_at IS NULL) OR (?2 = 'resolved' AND resolved_at IS NOT NULL))
         ORDER BY id DESC LIMIT ?3`,
        q.before ?? null,
        q.status,
        q.limit + 1,
      )
      .toArray()
    return { data: rows.slice(0, q.limit).map(viewOf), hasMore: rows.length > q.limit, pager: { configured: this.pager() !== null, pendingSends: this.pendingSends() } }
  }

  private async evaluateNow(nowMs: number): Promise<Evaluation> {
    const at = new Date(nowMs).toISOString()
    const log = this.log().child({ evaluatedAt: at })
    const { metrics, alerts } = settingsOf(this.env)
    const objectives = metrics.objectives
    const lookback = Math.max(lookbackMinutes(), alerts.anomaly.currentMinutes + alerts.anomaly.baselineMinutes)
    const kinds = [...new Set<MetricKind>([...objectives.map((o) => o.indicator.kind), 'outcome'])]
    const names = [...new Set([...objectives.flatMap((o) => o.indicator.names), ...anomalySeries.map((s) => s.name)])]

    let rollups
    try {
      rollups = await this.metrics().rollups({ from: nowMs - lookback * 60_000, to: nowMs, kinds, names })
    } catch (err) {
      // Without metrics nothing is judged: an alert is neither opened nor resolved on no evidence.
      log.error('alerts_metrics_unreadable', { error: err instanceof Error ? err.message : String(err) })
      const sent = await this.flush(log)
      return { at, evaluated: false, triggered: [], resolved: [], sent, pendingSends: this.pendingSends() }
    }

    const pager = this.pager()
    // From here to the writes, nothing awaits: the open alerts read are the ones the actions change.
    const open = this.openAlerts()
    const burning = evaluateObjectives(objectives, rollups, nowMs).flatMap((e) => e.firing)
    const anomalies = detectAnomalies(rollups, nowMs, new Set(open.map((a) => a.dedupKey)), alerts.anomaly).firing
    const summaries = new Map(anomalies.map((a) => [a.dedupKey, a.summary]))
    const firing: Firing[] = [...burning, ...anomalies.map(({ reading: _r, summary: _s, ...f }) => f)]
    const actions = alertActions(open, firing, at).map((a): AlertAction => {
      const summary = summaries.get(a.alert.dedupKey)
      return a.kind === 'trigger' && summary ? { kind: 'trigger', alert: { ...a.alert, summary } } : a
    })
    this.ctx.storage.transactionSync(() => {
      for (const a of actions) {
        if (a.kind === 'trigger') {
          const { alert } = a
          this.ctx.storage.sql.exec(
            'INSERT INTO alerts (dedup_key, source, objective, rule, severity, summary, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            alert.dedupKey,
            summaries.has(alert.dedupKey) ? 'anomaly' : 'burn_rate',
            alert.objective,
            alert.rule,
            alert.severity,
            alert.summary,
            alert.openedAt,
          )
        } else {
          this.ctx.storage.sql.exec('UPDATE alerts SET resolved_at = ? WHERE dedup_key = ? AND resolved_at IS NULL', at, a.alert.dedupKey)
        }
        if (pager) this.ctx.storage.sql.exec('INSERT INTO pager_sends (action, alert) VALUES (?, ?)', a.kind, JSON.stringify(a.alert))
      }
    })
    for (const a of actions) {
      const fields = { dedupKey: a.alert.dedupKey, objective: a.alert.objective, rule: a.alert.rule, severity: a.alert.severity, summary: a.alert.summary }
      if (a.kind === 'trigger') log.warn('alert_opened', fields)
      else log.info('alert_resolved', fields)
    }
    if (actions.length > 0 && !pager && !this.warnedUnpaged) {
      this.warnedUnpaged = true
      log.warn('alerts_not_paged', { reason: 'PAGERDUTY_ROUTING_KEY is not set: alerts are kept and listed at GET /v1/admin/alerts, nobody is paged' })
    }
    const sent = await this.flush(log)
    return {
      at,
      evaluated: true,
      triggered: actions.filter((a) => a.kind === 'trigger').map((a) => a.alert.dedupKey),
      resolved: actions.filter((a) => a.kind === 'resolve').map((a) => a.alert.dedupKey),
      sent,
      pendingSends: this.pendingSends(),
    }
  }

  /**
   * Sends what the pager has not been told, oldest first. A send to try again stops the round, so
   * a resolve never overtakes its trigger; a send PagerDuty refuses for good is dropped and logged.
   */
  private async flush(log: Logger): Promise<number> {
    const pager = this.pager()
    const rows = this.ctx.storage.sql.exec<SendRow>('SELECT seq, action, alert, attempts FROM pager_sends ORDER BY seq').toArray()
    if (rows.length === 0) return 0
    if (!pager) {
      // Configured once, not any more: nobody is there to tell.
      this.ctx.storage.sql.exec('DELETE FROM pager_sends')
      log.warn('alerts_pager_sends_dropped', { sends: rows.length, reason: 'PAGERDUTY_ROUTING_KEY is not set' })
      return 0
    }
    const client = pagerDuty(pager)
    let sent = 0
    for (const row of rows) {
      const alert = JSON.parse(row.alert) as Alert
      const outcome = await client.send({ kind: row.action === 'resolve' ? 'resolve' : 'trigger', alert })
      const fields = { dedupKey: alert.dedupKey, action: row.action, attempts: row.attempts + 1 }
      if (outcome.ok) {
        this.ctx.storage.sql.exec('DELETE FROM pager_sends WHERE seq = ?', row.seq)
        log.info('alert_paged', fields)
        sent++
        continue
      }
      if (outcome.retry) {
        this.ctx.storage.sql.exec('UPDATE pager_sends SET attempts = attempts + 1, last_error = ? WHERE seq = ?', `${outcome.status} ${outcome.detail}`.slice(0, 300), row.seq)
        log.warn('alert_page_deferred', { ...fields, status: outcome.status, detail: outcome.detail })
        break
      }
      this.ctx.storage.sql.exec('DELETE FROM pager_sends WHERE seq = ?', row.seq)
      log.error('alert_page_refused', { ...fields, status: outcome.status, detail: outcome.detail })
    }
    return sent
  }

  private openAlerts(): Alert[] {
    return this.ctx.storage.sql
      .exec<AlertRow>('SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY id')
      .toArray()
      .map((r) => ({ dedupKey: r.dedup_key, objective: r.objective, rule: r.rule, severity: severityOf(r.severity), openedAt: r.opened_at, resolvedAt: null, summary: r.summary }))
  }

  private pendingSends(): number {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pager_sends').one().n
  }

  private intervalMs(): number {
    return settingsOf(this.env).alerts.evaluationMs
  }

  private log(): Logger {
    return rootLogger(settingsOf(this.env).logLevel, { object: 'AlertsObject' })
  }
}

const severityOf = (s: string): AlertView['severity'] => (s === 'critical' ? 'critical' : 'error')

function viewOf(r: AlertRow): AlertView {
  return {
    id: r.id,
    dedupKey: r.dedup_key,
    source: r.source === 'anomaly' ? 'anomaly' : 'burn_rate',
    objective: r.objective,
    rule: r.rule,
    severity: severityOf(r.severity),
    summary: r.summary,
    status: r.resolved_at === null ? 'open' : 'resolved',
    openedAt: r.opened_at,
    resolvedAt: r.resolved_at,
  }
}
