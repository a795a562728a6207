import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { VERSION_HEADER, versionParameter, versionResponseHeader } from './api-version'
import { withOperationIds } from './openapi-operation-ids'
import { documentResponseHeaders } from './openapi-response-headers'
import { plainPatterns } from './openapi-patterns'
import { tidySchemas } from './openapi-schema-tidy'
import { problemCodesExtension, problemCodesMarkdown } from './openapi-problem-codes'
import { webhookOperations } from './openapi-webhooks'
import { subscriptions } from '../events/event-subscriptions'

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>
type Operation = { parameters?: unknown[]; requestBody?: unknown; security?: unknown[]; responses?: Record<string, unknown> }

const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: a repeat with the same key and body returns the first response with `Idempotent-Replayed: true`. 1–255 visible ASCII characters; kept at least 24 h per caller.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})

/** What the middleware in front of every /v1 route may answer, by the kind of operation. */
const middlewareAnswers = {
  every: { 400: problem('A `Souk-Version` that is no API version (`unknown_version`)'), 429: problem('Over a rate limit (`rate_limited`); see `Retry-After`'), 503: problem('Busy (`service_unavailable`; see `Retry-After`) or misconfigured (`service_misconfigured`)') },
  secured: { 401: problem('No valid credential (`unauthenticated`)') },
  withBody: {
    400: problem('Invalid request (`validation_failed`, `malformed_json`)'),
    413: problem('Body over 64 KiB (`payload_too_large`)'),
    415: problem('Body is not JSON (`unsupported_media_type`)'),
  },
  post: {
    400: problem('Invalid request, or an invalid `Idempotency-Key` (`idempotency_key_invalid`)'),
    409: problem('A request with this `Idempotency-Key` is still running (`idempotency_request_in_progress`)'),
    422: problem('This `Idempotency-Key` was used with another body (`idempotency_key_reused`)'),
  },
}

/**
 * The OpenAPI 3.1 document of everything mounted on `app`, generated from the zod schemas the
 * routes validate with, plus what the middleware adds to every operation: bearer auth, the
 * Souk-Version header (asked and answered), the Idempotency-Key header on POSTs, the answers the
 * middleware itself may give and the headers it sets (X-Request-Id, RateLimit, Retry-After); then
 * an operationId for each operation, plain patterns and plainly written schemas; and `webhooks`,
 * each event type an endpoint can receive with the payload and the signature headers of its
 * delivery. A route's own description of a status wins. Built once: routes do not change at run time.
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>): () => Document {
  let built: Document | undefined
  return () => {
    if (built) return built
    app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
      type: 'http',
      scheme: 'bearer',
      description: 'A session token (`st_…`) from login, or an API key (`sk_…`)',
    })
    app.openAPIRegistry.registerComponent('headers', VERSION_HEADER, versionResponseHeader)
    const doc = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Souk API',
        version: '1',
        description: `A consumer-to-consumer marketplace backend. Errors are RFC 9457 problems with a stable \`code\`.\n\n${problemCodesMarkdown}`,
      },
      'x-problem-codes': problemCodesExtension,
      // Relative: the API is served from the origin that serves this document.
      servers: [{ url: '/' }],
    })
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (!path.startsWith('/v1/')) continue
      for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
        const answers = [
          middlewareAnswers.every,
          op.security?.length ? middlewareAnswers.secured : {},
          op.requestBody ? middlewareAnswers.withBody : {},
          method === 'post' ? middlewareAnswers.post : {},
        ]
        op.responses = withVersionHeader(Object.assign({}, ...answers, op.responses) as Record<string, unknown>)
        op.parameters = [...(op.parameters ?? []), versionParameter]
        if (method === 'post' && !(op.parameters ?? []).some((p) => (p as { name?: string }).name === 'Idempotency-Key')) {
          op.parameters = [...(op.parameters ?? []), idempotencyKeyParameter]
        }
      }
    }
    // Every type the webhooks consumer takes is one an endpoint can receive.
    doc.webhooks = webhookOperations(subscriptions.webhooks.types) as Document['webhooks']
    withOperationIds(doc.paths ?? {})
    plainPatterns(doc)
    tidySchemas(doc)
    documentResponseHeaders(doc)
    built = doc
    return doc
  }
}

/** Every response names the API version that shaped it (`Souk-Version`, http/api-version.ts). */
function withVersionHeader(responses: Record<string, unknown>): Record<string, unknown> {
  const header = { $ref: `#/components/headers/${VERSION_HEADER}` }
  return Object.fromEntries(
    Object.entries(responses).map(([status, r]) => {
      const response = r as { headers?: Record<string, unknown> }
      return [status, { ...response, headers: { ...response.headers, [VERSION_HEADER]: header } }]
    }),
  )
}
