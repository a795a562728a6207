/** The response headers the middleware puts on responses, once each, for `components.headers`. */
export const commonResponseHeaders = {
  'X-Request-Id': {
    description: 'Names this request in logs and traces; quote it when reporting a problem',
    required: true,
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'Where the caller stands in the quota of this kind of request (IETF RateLimit fields draft). On every /v1 response the rate limiter saw, that is all but inbound webhooks and answers the middleware gives before counting (e.g. 401, 413)',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'The quota this kind of request counts against (IETF RateLimit fields draft); present with `RateLimit`',
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 1 },
  },
} as const

type HeaderName = keyof typeof commonResponseHeaders
type Response = { $ref?: string; headers?: Record<string, unknown> }
type Operations = Record<string, Record<string, { responses?: Record<string, Response> }>>

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` })

/** Which of the common headers a response of `status` to `path` carries. */
function headersOf(path: string, status: string): Record<string, unknown> {
  const headers: Record<string, unknown> = { 'X-Request-Id': ref('X-Request-Id') }
  if (path.startsWith('/v1/') && !path.startsWith('/v1/webhooks/')) {
    headers.RateLimit = ref('RateLimit')
    headers['RateLimit-Policy'] = ref('RateLimit-Policy')
  }
  if (status === '429' || status === '503') headers['Retry-After'] = ref('Retry-After')
  return headers
}

/**
 * Adds to every response of `doc` the headers the middleware sets (request id, rate-limit fields,
 * `Retry-After` on 429 and 503) and defines them once in `components.headers`. A header a route
 * declares itself wins; a response that is only a `$ref` is left alone. Mutates `doc` in place.
 */
export function documentResponseHeaders(doc: { paths?: object; components?: { headers?: Record<string, unknown> } }): void {
  doc.components = { ...doc.components, headers: { ...doc.components?.headers, ...commonResponseHeaders } }
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Operations)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (response.$ref) continue
        response.headers = { ...headersOf(path, status), ...response.headers }
      }
    }
  }
}
