import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ConfigError } from '../config'
import { isOverloaded, isTransient } from '../core/transient-error'
import type { AppEnv } from '../env'
import { unauthenticated } from './unauthenticated'
import { Problem } from './problem'
import { problemTitles, problemType, type ProblemCode } from './problem-codes'

/**
 * The app's only error handler: every failure leaves as `application/problem+json` with a stable
 * `code`. Known problems render as themselves; Hono's own exceptions (malformed JSON, body too
 * large, wrong media type) map to their codes; a transient platform error (an overloaded, reset or
 * unreachable Durable Object or D1, core/transient-error.ts) is load, not a bug: 503
 * `service_unavailable` with `Retry-After`, logged as a warning; anything else is a bug, logged
 * with its stack and answered with a bare 500 that names only the request id.
 */
export const renderProblem: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof Problem) return problemResponse(c, err)
  if (err instanceof HTTPException) return problemResponse(c, fromHttpException(err))
  if (err instanceof ConfigError) {
    c.var.log?.error('config_invalid', { problems: err.problems })
    return problemResponse(c, new Problem(503, 'service_misconfigured'))
  }
  if (isTransient(err)) return busy(c, err)
  c.var.log?.error('unhandled_error', { err })
  return problemResponse(c, new Problem(500, 'internal_error'))
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new Problem(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`))

export function problemResponse(c: Context<AppEnv>, p: Problem): Response {
  const body = {
    ...p.options.extra,
    type: problemType(p.code),
    title: problemTitles[p.code],
    status: p.status,
    detail: p.detail ?? problemTitles[p.code],
    code: p.code,
    instance: c.req.path,
    requestId: c.var.requestId,
    ...(p.options.errors ? { errors: p.options.errors } : {}),
  }
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { 'Content-Type': 'application/problem+json', ...p.options.headers },
  })
}

/** An overloaded object is asked for a little more room than one that was only reset or unreachable. */
const RETRY_AFTER_SECONDS = { overloaded: 2, transient: 1 }

function busy(c: Context<AppEnv>, err: Error): Response {
  const overloaded = isOverloaded(err)
  c.var.log?.warn('service_unavailable', { err, overloaded })
  const retryAfter = overloaded ? RETRY_AFTER_SECONDS.overloaded : RETRY_AFTER_SECONDS.transient
  return problemResponse(c, new Problem(503, 'service_unavailable', undefined, { headers: { 'Retry-After': String(retryAfter) } }))
}

const httpExceptionCodes: Partial<Record<number, ProblemCode>> = {
  400: 'malformed_json',
  401: 'unauthenticated',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
}

function fromHttpException(err: HTTPException): Problem {
  const code = httpExceptionCodes[err.status]
  if (!code) return new Problem(err.status >= 500 ? 500 : err.status, 'internal_error')
  if (code === 'unauthenticated') return unauthenticated()
  return new Problem(err.status, code)
}
