import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { openApiDocument } from '../../../src/http/openapi-document'

const Item = z.object({ id: z.string(), title: z.string() }).openapi('Item')

const getItemRoute = createRoute({
  method: 'get',
  path: '/items/{id}',
  summary: 'One item',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'The item', content: { 'application/json': { schema: Item } } } },
})

const createItemRoute = createRoute({
  method: 'post',
  path: '/items',
  summary: 'Create an item',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ title: z.string() }) } } } },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: Item } } } },
})

const declaresItsOwnKeyRoute = createRoute({
  method: 'post',
  path: '/payouts',
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
const headerParameters = (op: { parameters?: unknown[] } | undefined): Parameter[] =>
  ((op?.parameters ?? []) as Parameter[]).filter((p) => p.in === 'header')

describe('openApiDocument', () => {
  it('builds an OpenAPI 3.1.0 document with every route', () => {
    const doc = openApiDocument(testApp())()

    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: 'Souk API', version: '1' })
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/items', '/items/{id}'])
    expect(doc.paths?.['/items/{id}']?.get?.summary).toBe('One item')
    expect(doc.paths?.['/items']?.post?.summary).toBe('Create an item')
  })

  it('adds an optional Idempotency-Key header to POSTs, and only to POSTs', () => {
    const doc = openApiDocument(testApp())()

    expect(headerParameters(doc.paths?.['/items']?.post)).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } }),
    ])
    expect(headerParameters(doc.paths?.['/items/{id}']?.get)).toEqual([])
    expect(doc.paths?.['/items/{id}']?.get?.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })])
  })

  it('does not add a second Idempotency-Key to a POST that declares its own', () => {
    const app = testApp()
    app.openapi(declaresItsOwnKeyRoute, (c) => c.body(null, 202))

    const doc = openApiDocument(app)()

    expect(headerParameters(doc.paths?.['/payouts']?.post)).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', description: 'A UUID per payout' }),
    ])
  })

  it('registers the bearer security scheme', () => {
    const doc = openApiDocument(testApp())()

    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.paths?.['/items']?.post?.security).toEqual([{ bearer: [] }])
  })

  it('builds the document once and hands back the same object afterwards', () => {
    const app = testApp()
    const document = openApiDocument(app)

    const first = document()
    app.openapi(createRoute({ method: 'get', path: '/later', responses: { 204: { description: 'None' } } }), (c) => c.body(null, 204))
    const second = document()

    expect(second).toBe(first)
    expect(Object.keys(second.paths ?? {})).not.toContain('/later')
    expect(headerParameters(second.paths?.['/items']?.post)).toHaveLength(1)
  })
})
