import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { matchedRoutes } from 'hono/route'
import { settingsOf, shareSettings } from '../config'
import type { AppEnv } from '../env'
import { BindingTally, type BindingCall } from '../ops/binding-tally'
import { instrumentEnv } from '../platform/instrumented-env'

/** This isolate's counts, read and cleared by GET /v1/dev/binding-counts (ops/binding-counts-routes.ts). */
export const bindingTally = new BindingTally()

/**
 * Development only (`ENVIRONMENT=development` and `BINDING_PROBE=on`): counts every D1, Durable
 * Object and queue call a request makes, under `${method} ${route pattern} ${status}`, e.g.
 * `POST /v1/listings/:id/bids 201`. Calls until the response is decided count as `request`;
 * those the request leaves to `waitUntil` count as `afterResponse`, under the same key. Mount it
 * first, so what the other middleware calls is counted too. Otherwise it does nothing.
 */
export const bindingProbe = (tally: BindingTally = bindingTally) =>
  createMiddleware<AppEnv>(async function bindingProbe(c, next) {
    const settings = settingsOf(c.env)
    if (settings.environment !== 'development' || !settings.bindingProbe) return next()
    const calls: BindingCall[] = []
    let operation: string | undefined
    const observed = instrumentEnv(c.env, {
      before(call) {
        if (operation === undefined) calls.push(call)
        else tally.recordAfterResponse(operation, call)
      },
    })
    // Parsed settings are kept per env object: the copy shares them, so counting costs no re-parse.
    shareSettings(c.env, observed)
    c.env = observed
    try {
      await next()
    } finally {
      operation = `${c.req.method} ${routePattern(c)} ${c.res.status}`
      tally.recordRequest(operation, calls)
    }
  })

/**
 * The pattern of the route the request was for (`/v1/listings/:id/bids`), even when a
 * middleware answered before it; `(no route)` for a path nothing serves.
 */
function routePattern(c: Context<AppEnv>): string {
  return matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? '(no route)'
}
