import { createMiddleware } from 'hono/factory'
import { formatTraceparent } from '../core/trace-context'
import type { LogLevel } from '../core/logger'
import type { AppEnv } from '../env'
import { newId, rootLogger } from '../platform/runtime'
import { currentSpan, traceInvocation } from '../platform/tracing'
import { setResponseHeaders } from './response-headers'
import { waitUntilOf } from './wait-until'

/** A client's own request id is kept when it is short and plain; anything else is replaced. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{8,128}$/

/**
 * The first middleware: names the request (`X-Request-Id`) and runs the rest of it as the server
 * span of the caller's W3C trace (or of a new one), so everything below (objects, queues, D1,
 * outbound calls, log lines) is part of that trace. The access log names the span by its route.
 */
export const requestContext = (level: LogLevel = 'info') =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    const offered = c.req.header('x-request-id')
    const requestId = offered && acceptableRequestId.test(offered) ? offered : newId('req')
    const invocation = { env: c.env, waitUntil: waitUntilOf(c) }
    await traceInvocation(invocation, { name: c.req.method, kind: 'server', traceparent: c.req.header('traceparent'), attributes: { 'http.request.method': c.req.method } }, async () => {
      const span = currentSpan()
      if (!span) throw new Error('no span')
      c.set('requestId', requestId)
      c.set('traceId', span.traceId)
      c.set('spanId', span.spanId)
      c.set('log', rootLogger(level, { requestId }))
      await next()
      setResponseHeaders(c, { 'X-Request-Id': requestId, traceparent: formatTraceparent(span) })
    })
  })
