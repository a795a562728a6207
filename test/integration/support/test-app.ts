import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { v1Middleware } from '../../../src/app'
import type { AppEnv } from '../../../src/env'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { requestContext } from '../../../src/http/request-context'

/**
 * The /v1 middleware of src/app.ts (the same list, in the same order) around routes a test defines, over the real bindings,
 * so middleware can be driven through situations no product route produces (a handler that is
 * slow, throws, or counts its runs).
 */
export function middlewareApp(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use('*', requestContext('warn'), ...v1Middleware())
}

/** Calls `app` with the test bindings, overridden by `overrides`, and waits for its waitUntils. */
export async function fetchWith(app: Hono<AppEnv>, request: Request, overrides: Partial<Record<keyof Env, unknown>> = {}): Promise<Response> {
  const ctx = createExecutionContext()
  const res = await app.fetch(request, { ...env, ...overrides }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
