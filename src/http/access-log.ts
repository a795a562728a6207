import { createMiddleware } from 'hono/factory'
import { matchedRoutes } from 'hono/route'
import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { keepAlertsRunning } from '../ops/alerts-adapters'
import { metricsSinkOf } from '../ops/metrics-adapters'
import { annotateSpan } from '../platform/tracing'
import { waitUntilOf } from './wait-until'

/**
 * One JSON line per request: route pattern (never the raw path or query, which may carry personal
 * data), status, duration and who called, by internal id only. The same facts name the request's
 * span and become its metric point (rate, errors and duration per route: the SLOs' input).
 */
export const accessLog = () =>
  createMiddleware<AppEnv>(async function accessLog(c, next) {
    const started = Date.now()
    await next()
    const status = c.res.status
    const fields = {
      method: c.req.method,
      route: handlerRoute(c),
      status,
      durationMs: Date.now() - started,
      userId: c.var.principal?.userId,
      credential: c.var.principal?.credential.kind ?? 'none',
      replayed: c.res.headers.get('Idempotent-Replayed') === 'true' || undefined,
    }
    if (status >= 500) c.var.log.error('request', fields)
    else c.var.log.info('request', fields)
    const name = `${c.req.method} ${fields.route ?? 'unmatched'}`
    annotateSpan({ name, attributes: { 'http.route': fields.route ?? 'unmatched', 'http.response.status_code': status }, ...(status >= 500 ? { error: `status ${status}` } : {}) })
    metricsSinkOf(c.env, waitUntilOf(c)).record({ kind: 'route', name, error: status >= 500, durationMs: fields.durationMs, at: started })
    // What is measured is judged by the alerts object's alarm; cron never fires locally, so the first request starts it.
    keepAlertsRunning(c.env, waitUntilOf(c))
  })

/** The pattern of the handler that answered (`/v1/api-keys/:id`), or null when none matched. */
function handlerRoute(c: Context<AppEnv>): string | null {
  const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL')
  return handlers.at(-1)?.path ?? null
}
