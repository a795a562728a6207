import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

/**
 * Work a route leaves for after its answer (publishing the events a checkout wrote): registered
 * with `c.var.afterResponse(work)` and started only once the response is decided, then kept alive
 * with `waitUntil`, so it never holds up the answer and never competes with it for D1. Mount it
 * outermost in /v1, so the binding probe counts that work as after the response.
 */
export const afterResponse = () =>
  createMiddleware<AppEnv>(async function afterResponse(c, next) {
    const queued: (() => Promise<unknown>)[] = []
    c.set('afterResponse', (work) => {
      queued.push(work)
    })
    try {
      await next()
    } finally {
      for (const work of queued) c.executionCtx.waitUntil(work())
    }
  })
