import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { validationProblem } from '../../../src/http/validation-problem'
import { captureLog, problemOf, testContext } from './harness'

const ItemBody = z.strictObject({
  title: z.string().min(1).max(80),
  quantity: z.number().int().min(1),
  tags: z.array(z.string().max(10)).max(3).optional(),
})

const updateItemRoute = createRoute({
  method: 'post',
  path: '/items/{id}',
  request: {
    params: z.object({ id: z.string().regex(/^itm_[a-z0-9]{4}$/) }),
    query: z.object({ notify: z.enum(['yes', 'no']).optional(), limit: z.coerce.number().int().min(1).max(10).optional() }),
    body: { required: true, content: { 'application/json': { schema: ItemBody } } },
  },
  responses: { 200: { description: 'Updated', content: { 'application/json': { schema: ItemBody } } } },
})

function testApp() {
  const calls: unknown[] = []
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  app.onError(renderProblem)
  app.notFound(notFound)
  app.use(testContext({ log: captureLog().log }))
  app.openapi(updateItemRoute, (c) => {
    const body = c.req.valid('json')
    calls.push(body)
    return c.json(body, 200)
  })
  return { app, calls }
}

const post = (body: string, contentType = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
})

const valid = { title: 'Brass lamp', quantity: 2 }

describe('validationProblem', () => {
  it('lets a valid request through to the handler with the parsed body', async () => {
    const { app, calls } = testApp()

    const res = await app.request('/items/itm_ab12?notify=yes', post(JSON.stringify(valid)))

    expect(res.status).toBe(200)
    expect(calls).toEqual([valid])
  })

  it('answers 400 validation_failed listing every bad body field, and never runs the handler', async () => {
    const { app, calls } = testApp()

    const res = await app.request('/items/itm_ab12', post(JSON.stringify({ title: '', quantity: 1.5, tags: ['ok', 42] })))
    const body = await problemOf(res, 400)

    expect(body.code).toBe('validation_failed')
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', path: 'title', message: expect.any(String) as unknown },
        { in: 'body', path: 'quantity', message: expect.any(String) as unknown },
        { in: 'body', path: 'tags.1', message: expect.any(String) as unknown },
      ]),
    )
    expect(body.errors).toHaveLength(3)
    expect(calls).toHaveLength(0)
  })

  it('names a missing required field by its path', async () => {
    const { app, calls } = testApp()

    const body = await problemOf(await app.request('/items/itm_ab12', post(JSON.stringify({ title: 'Lamp' }))), 400)

    expect(body.errors).toEqual([{ in: 'body', path: 'quantity', message: expect.any(String) as unknown }])
    expect(calls).toHaveLength(0)
  })

  it('refuses an unknown body field', async () => {
    const { app, calls } = testApp()

    const res = await app.request('/items/itm_ab12', post(JSON.stringify({ ...valid, isAdmin: true })))
    const body = await problemOf(res, 400)

    expect(body.code).toBe('validation_failed')
    expect(body.errors).toEqual([{ in: 'body', path: 'isAdmin', message: 'is not a known field' }])
    expect(calls).toHaveLength(0)
  })

  it('points a bad query parameter at the query', async () => {
    const { app, calls } = testApp()

    const body = await problemOf(await app.request('/items/itm_ab12?notify=maybe&limit=0', post(JSON.stringify(valid))), 400)

    expect(body.code).toBe('validation_failed')
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { in: 'query', path: 'notify', message: expect.any(String) as unknown },
        { in: 'query', path: 'limit', message: expect.any(String) as unknown },
      ]),
    )
    expect(body.errors).toHaveLength(2)
    expect(calls).toHaveLength(0)
  })

  it('points a bad path parameter at the path', async () => {
    const { app, calls } = testApp()

    const body = await problemOf(await app.request('/items/ITEM-1', post(JSON.stringify(valid))), 400)

    expect(body.errors).toEqual([{ in: 'path', path: 'id', message: expect.any(String) as unknown }])
    expect(calls).toHaveLength(0)
  })

  it('answers malformed JSON with 400 malformed_json', async () => {
    const { app, calls } = testApp()

    const body = await problemOf(await app.request('/items/itm_ab12', post('{"title": "Lamp",')), 400)

    expect(body.code).toBe('malformed_json')
    expect(calls).toHaveLength(0)
  })

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'answers a %s body with 415 unsupported_media_type',
    async (contentType) => {
      const { app, calls } = testApp()

      const body = await problemOf(await app.request('/items/itm_ab12', post(JSON.stringify(valid), contentType)), 415)

      expect(body.code).toBe('unsupported_media_type')
      expect(calls).toHaveLength(0)
    },
  )

  it('refuses a request with no body at all', async () => {
    const { app, calls } = testApp()

    const res = await app.request('/items/itm_ab12', { method: 'POST' })

    expect(res.status).toBe(400)
    expect(calls).toHaveLength(0)
  })

  describe('fuzzed bodies', () => {
    const validBody = fc.record(
      {
        title: fc.string({ minLength: 1, maxLength: 80 }),
        quantity: fc.integer({ min: 1, max: 1_000_000 }),
        tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
      },
      { requiredKeys: ['title', 'quantity'] },
    )
    const nearlyValidBody = fc.tuple(validBody, fc.string(), fc.jsonValue()).map(([body, key, value]) => ({ ...body, [key]: value }))
    const jsonText = fc.oneof(fc.jsonValue(), validBody, nearlyValidBody).map((value) => JSON.stringify(value))
    const anyText = fc.oneof(jsonText, fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }).map((s) => `{"title":${s}`))

    it('never answers 5xx, and runs the handler exactly for the bodies the schema accepts', async () => {
      const { app, calls } = testApp()
      let accepted = 0

      await fc.assert(
        fc.asyncProperty(anyText, async (text) => {
          const before = calls.length
          const res = await app.request('/items/itm_ab12', post(text))
          const parsed = parseJson(text)
          const shouldRun = parsed.ok && ItemBody.safeParse(parsed.value).success

          expect(res.status).toBeLessThan(500)
          expect(calls.length - before).toBe(shouldRun ? 1 : 0)
          if (shouldRun) {
            accepted += 1
            expect(res.status).toBe(200)
          } else {
            expect(res.status).toBe(400)
            const body: unknown = await res.json()
            expect(body).toMatchObject({ code: parsed.ok ? 'validation_failed' : 'malformed_json' })
          }
        }),
        { numRuns: 300 },
      )
      expect(accepted).toBeGreaterThan(0) // the generator did reach the handler, so the property says something
    })
  })
})

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (err) {
    if (err instanceof SyntaxError) return { ok: false }
    throw err
  }
}
