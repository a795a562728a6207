import { createMiddleware } from 'hono/factory'
import { matchedRoutes } from 'hono/route'
import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { annotateSpan } from '../platform/tracing'

/**
 * One JSON line per request: route pattern (never the raw path or query, which may carry personal
 * data), status, duration and who called, by internal id only. The same facts name the request's
 * span (the metric point is request-metrics.ts).
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
    annotateSpan({ name: routeName(c), attributes: { 'http.route': fields.route ?? 'unmatched', 'http.response.status_code': status }, ...(status >= 500 ? { error: `status ${status}` } : {}) })
  })

/** What spans and metrics call the request: `POST /v1/listings/:id/bids`, or `GET unmatched`. */
export const routeName = (c: Context<AppEnv>): string => `${c.req.method} ${handlerRoute(c) ?? 'unmatched'}`

/** The pattern of the handler that answered (`/v1/api-keys/:id`), or null when none matched. */
function handlerRoute(c: Context<AppEnv>): string | null {
  const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL')
  return handlers.at(-1)?.path ?? null
}
