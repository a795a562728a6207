import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { keepAlertsRunning } from '../ops/alerts-adapters'
import { metricsSinkOf } from '../ops/metrics-adapters'
import { routeName } from './access-log'
import { waitUntilOf } from './wait-until'

/**
 * One metric point per request, by route pattern: rate, errors (a 5xx) and duration, what the
 * SLOs are computed from. The alerts object judges them on its alarm; cron never fires locally,
 * so the first request of an isolate makes sure that alarm runs.
 */
export const requestMetrics = () =>
  createMiddleware<AppEnv>(async function requestMetrics(c, next) {
    const started = Date.now()
    await next()
    const waitUntil = waitUntilOf(c)
    metricsSinkOf(c.env, waitUntil).record({ kind: 'route', name: routeName(c), error: c.res.status >= 500, durationMs: Date.now() - started, at: started })
    keepAlertsRunning(c.env, waitUntil)
  })
