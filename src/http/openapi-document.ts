import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>
type Operation = { parameters?: unknown[]; [key: string]: unknown }

const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: a repeat with the same key and body returns the first response with `Idempotent-Replayed: true`. 1–255 visible ASCII characters; kept at least 24 h per caller.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
}

/**
 * The OpenAPI 3.1 document of everything mounted on `app`, generated from the zod schemas the
 * routes validate with, plus what the middleware adds to every operation (bearer auth, the
 * Idempotency-Key header on POSTs). Built once: routes do not change at run time.
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
    const doc = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Souk API',
        version: '1',
        description: 'A consumer-to-consumer marketplace backend. Errors are RFC 9457 problems with a stable `code`.',
      },
    })
    for (const item of Object.values(doc.paths ?? {})) {
      const post = (item as Record<string, Operation | undefined>).post
      if (!post) continue
      const declared = (post.parameters ?? []).some((p) => (p as { name?: string }).name === 'Idempotency-Key')
      if (!declared) post.parameters = [...(post.parameters ?? []), idempotencyKeyParameter]
    }
    built = doc
    return doc
  }
}
