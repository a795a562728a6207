import { createMiddleware } from 'hono/factory'
import { formatTraceparent, startSpan } from '../core/trace-context'
import type { LogLevel } from '../core/logger'
import type { AppEnv } from '../env'
import { newId, randomBytes, rootLogger } from '../platform/runtime'
import { setResponseHeaders } from './response-headers'

/** A client's own request id is kept when it is short and plain; anything else is replaced. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{8,128}$/

/**
 * The first middleware: names the request (`X-Request-Id`), continues the caller's W3C trace or
 * starts one, and gives the request a logger that stamps both ids on every line.
 */
export const requestContext = (level: LogLevel = 'info') =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    const trace = startSpan(c.req.header('traceparent'), randomBytes(24))
    const offered = c.req.header('x-request-id')
    const requestId = offered && acceptableRequestId.test(offered) ? offered : newId('req')
    c.set('requestId', requestId)
    c.set('traceId', trace.traceId)
    c.set('spanId', trace.spanId)
    c.set('log', rootLogger(level, { requestId, traceId: trace.traceId, spanId: trace.spanId }))
    await next()
    setResponseHeaders(c, { 'X-Request-Id': requestId, traceparent: formatTraceparent(trace) })
  })
