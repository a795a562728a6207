import type { Context } from 'hono'
import type { AppEnv } from '../env'

/** The request's waitUntil; a request made without an execution context (app.request in tests) has none. */
export function waitUntilOf(c: Context<AppEnv>): (p: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx
    return (p) => ctx.waitUntil(p)
  } catch {
    return (p) => void p.catch(() => undefined)
  }
}
