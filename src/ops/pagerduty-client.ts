import type { AlertAction } from './burn-rate-alerts'

/**
 * PagerDuty's Events API v2: an alert triggers an incident and resolves it, both under the
 * alert's dedup key, so PagerDuty keeps one incident per alert however often it is told.
 * `routingKey` is the integration key of a PagerDuty service (a secret).
 */
export type PagerConfig = { apiBase: string; routingKey: string; source: string; fetch: typeof fetch }

/** What PagerDuty said: taken, refused for good (a bad key or payload), or to be tried again. */
export type PagerOutcome = { ok: true } | { ok: false; retry: boolean; status: number; detail: string }

export function pagerDuty(cfg: PagerConfig) {
  return {
    async send(action: AlertAction): Promise<PagerOutcome> {
      const { alert } = action
      const body =
        action.kind === 'trigger'
          ? { routing_key: cfg.routingKey, event_action: 'trigger', dedup_key: alert.dedupKey, payload: { summary: alert.summary, source: cfg.source, severity: alert.severity, timestamp: alert.openedAt, custom_details: { objective: alert.objective, rule: alert.rule } } }
          : { routing_key: cfg.routingKey, event_action: 'resolve', dedup_key: alert.dedupKey }
      let res: Response
      try {
        res = await cfg.fetch(`${cfg.apiBase}/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      } catch (err) {
        return { ok: false, retry: true, status: 0, detail: err instanceof Error ? err.message : String(err) }
      }
      if (res.status === 202) return { ok: true }
      const detail = (await res.text().catch(() => '')).slice(0, 300)
      // 429 and 5xx pass; 400 (a bad key or event) will not get better by repeating it.
      return { ok: false, retry: res.status === 429 || res.status >= 500, status: res.status, detail }
    },
  }
}
