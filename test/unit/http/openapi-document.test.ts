import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { openApiDocument } from '../../../src/http/openapi-document'

const Item = z.object({ id: z.string(), title: z.string() }).openapi('Item')

const getItemRoute = createRoute({
  method: 'get',
  path: '/v1/items/{id}',
  summary: 'One item',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'The item', content: { 'application/json': { schema: Item } } } },
})

const createItemRoute = createRoute({
  method: 'post',
  path: '/v1/items',
  summary: 'Create an item',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ title: z.string() }) } } } },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: Item } } } },
})

const declaresItsOwnKeyRoute = createRoute({
  method: 'post',
  path: '/v1/payouts',
  request: {
    headers: z.object({ 'Idempotency-Key': z.string().uuid().openapi({ description: 'A UUID per payout' }) }),
  },
  responses: { 202: { description: 'Accepted' } },
})

function testApp() {
  const app = new OpenAPIHono<AppEnv>()
  app.openapi(getItemRoute, (c) => c.json({ id: c.req.valid('param').id, title: 'Brass lamp' }, 200))
  app.openapi(createItemRoute, (c) => c.json({ id: 'itm_1', title: c.req.valid('json').title }, 201))
  return app
}

type Parameter = { name: string; in: string; required?: boolean }
/** The header parameters an operation has besides Souk-Version, which every operation has (tested on its own). */
const headerParameters = (op: { parameters?: unknown[] } | undefined): Parameter[] =>
  ((op?.parameters ?? []) as Parameter[]).filter((p) => p.in === 'header' && p.name !== 'Souk-Version')

describe('openApiDocument', () => {
  it('builds an OpenAPI 3.1.0 document with every route', () => {
    const doc = openApiDocument(testApp())()

    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: 'Souk API', version: '1' })
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/v1/items', '/v1/items/{id}'])
    expect(doc.paths?.['/v1/items/{id}']?.get?.summary).toBe('One item')
    expect(doc.paths?.['/v1/items']?.post?.summary).toBe('Create an item')
  })

  it('adds an optional Idempotency-Key header to POSTs, and only to POSTs', () => {
    const doc = openApiDocument(testApp())()

    expect(headerParameters(doc.paths?.['/v1/items']?.post)).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } }),
    ])
    expect(headerParameters(doc.paths?.['/v1/items/{id}']?.get)).toEqual([])
    expect(doc.paths?.['/v1/items/{id}']?.get?.parameters?.filter((p) => (p as Parameter).in === 'path')).toEqual([expect.objectContaining({ name: 'id', in: 'path' })])
  })

  it('does not add a second Idempotency-Key to a POST that declares its own', () => {
    const app = testApp()
    app.openapi(declaresItsOwnKeyRoute, (c) => c.body(null, 202))

    const doc = openApiDocument(app)()

    expect(headerParameters(doc.paths?.['/v1/payouts']?.post)).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', description: 'A UUID per payout' }),
    ])
  })

  it('registers the bearer security scheme', () => {
    const doc = openApiDocument(testApp())()

    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.paths?.['/v1/items']?.post?.security).toEqual([{ bearer: [] }])
  })

  it('builds the document once and hands back the same object afterwards', () => {
    const app = testApp()
    const document = openApiDocument(app)

    const first = document()
    app.openapi(createRoute({ method: 'get', path: '/later', responses: { 204: { description: 'None' } } }), (c) => c.body(null, 204))
    const second = document()

    expect(second).toBe(first)
    expect(Object.keys(second.paths ?? {})).not.toContain('/later')
    expect(headerParameters(second.paths?.['/v1/items']?.post)).toHaveLength(1)
  })
})

describe('Souk-Version in the document', () => {
  it('is an optional header parameter of every /v1 operation, listing the versions', () => {
    const doc = openApiDocument(testApp())()
    for (const op of [doc.paths?.['/v1/items']?.post, doc.paths?.['/v1/items/{id}']?.get]) {
      const version = ((op?.parameters ?? []) as Parameter[]).filter((p) => p.name === 'Souk-Version')
      expect(version).toEqual([expect.objectContaining({ in: 'header', required: false, schema: { type: 'string', enum: ['2026-12-05'] } })])
    }
  })

  it('is a header of every response of every /v1 operation, defined once', () => {
    const doc = openApiDocument(testApp())()
    expect(doc.components?.headers?.['Souk-Version']).toMatchObject({ schema: { type: 'string', enum: ['2026-12-05'] } })
    for (const op of [doc.paths?.['/v1/items']?.post, doc.paths?.['/v1/items/{id}']?.get]) {
      for (const [status, response] of Object.entries(op?.responses ?? {})) {
        expect((response as { headers?: Record<string, unknown> }).headers?.['Souk-Version'], status).toEqual({ $ref: '#/components/headers/Souk-Version' })
      }
    }
  })
})

describe('what the middleware answers', () => {
  type Responses = Record<string, { description?: string; content?: Record<string, unknown> }>
  const responsesOf = (op: { responses?: unknown } | undefined) => Object.keys((op?.responses ?? {})).sort()

  it('documents the middleware answers each kind of operation may get, as problems', () => {
    const doc = openApiDocument(testApp())()
    // A secured POST with a JSON body: rate limit, misconfiguration, credential, body and idempotency answers.
    expect(responsesOf(doc.paths?.['/v1/items']?.post)).toEqual(['201', '400', '401', '409', '413', '415', '422', '429', '503'])
    // An open GET: only what every /v1 request may get (400: an unknown Souk-Version).
    expect(responsesOf(doc.paths?.['/v1/items/{id}']?.get)).toEqual(['200', '400', '429', '503'])
    const reused = (doc.paths?.['/v1/items']?.post?.responses as Responses)['422']
    expect(reused?.content).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } })
  })

  it("keeps a route's own description of a status", () => {
    const app = testApp()
    app.openapi(
      createRoute({ method: 'post', path: '/v1/limited', responses: { 201: { description: 'ok' }, 429: { description: 'Too many offers on this listing' } } }),
      (c) => c.body(null, 201),
    )
    const doc = openApiDocument(app)()
    expect((doc.paths?.['/v1/limited']?.post?.responses as Responses)['429']?.description).toBe('Too many offers on this listing')
  })

  it('leaves routes outside /v1 (health, docs) as they declare themselves', () => {
    const app = testApp()
    app.openapi(createRoute({ method: 'get', path: '/health', responses: { 200: { description: 'up' } } }), (c) => c.body(null, 200))
    expect(responsesOf(openApiDocument(app)().paths?.['/health']?.get)).toEqual(['200'])
  })
})
