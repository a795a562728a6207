import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { call, countRows, json, register } from '../support/api'

/**
 * Every operation of the served OpenAPI document, fed hostile input. Whatever the route, the
 * answer is a 4xx problem with a stable code, never a 5xx, and nothing is written. New routes
 * are covered as soon as they are documented.
 */
type Operation = { method: string; path: string; hasBody: boolean }

async function operations(): Promise<Operation[]> {
  const doc = await json<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>(await call('/v1/openapi.json'))
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'junk%20id'), hasBody: op.requestBody !== undefined })),
  )
}

const hostileBodies: [string, BodyInit, string][] = [
  ['malformed JSON', '{"email": ', 'application/json'],
  ['truncated unicode', '{"a":"\\ud800', 'application/json'],
  ['a JSON array', '[1,2,3]', 'application/json'],
  ['JSON null', 'null', 'application/json'],
  ['a JSON string', '"hello"', 'application/json'],
  ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
  ['form data', 'email=a%40b.c', 'application/x-www-form-urlencoded'],
  ['plain text', 'hello', 'text/plain'],
  ['over 64 KiB', JSON.stringify({ email: 'a'.repeat(70 * 1024) }), 'application/json'],
]

const tables = ['users', 'orders', 'order_events', 'payments', 'ledger_entries', 'payouts', 'reviews', 'disputes', 'webhook_receipts', 'webhook_endpoints', 'webhook_messages', 'phone_numbers', 'push_subscriptions', 'notification_sends'] as const
const snapshot = async () => Promise.all(tables.map((t) => countRows(t)))

describe('bad input on every route', () => {
  it('answers each hostile body with a 4xx problem and changes nothing', async () => {
    const { token } = await register('hostile')
    const ops = (await operations()).filter((o) => o.hasBody)
    expect(ops.length).toBeGreaterThanOrEqual(3)
    const before = await snapshot()
    for (const op of ops) {
      for (const [label, body, type] of hostileBodies) {
        const res = await call(op.path, { method: op.method, token, headers: { 'content-type': type }, body })
        const where = `${op.method} ${op.path} with ${label}`
        expect(res.status, where).toBeGreaterThanOrEqual(400)
        expect(res.status, where).toBeLessThan(500)
        expect(res.headers.get('content-type'), where).toBe('application/problem+json')
        const problem = await json<{ code: string; status: number }>(res)
        expect(problem.status, where).toBe(res.status)
        expect(problem.code, where).toMatch(/^[a-z_]+$/)
      }
    }
    expect(await snapshot()).toEqual(before)
  }, 30_000)

  it('gives the documented codes for the classic mistakes', async () => {
    const cases: [BodyInit, string, number, string][] = [
      ['{"email": ', 'application/json', 400, 'malformed_json'],
      ['hello', 'text/plain', 415, 'unsupported_media_type'],
      [JSON.stringify({ x: 'a'.repeat(70 * 1024) }), 'application/json', 413, 'payload_too_large'],
      ['{}', 'application/json', 400, 'validation_failed'],
    ]
    for (const [body, type, status, code] of cases) {
      const res = await call('/v1/auth/register', { method: 'POST', headers: { 'content-type': type }, body })
      expect(res.status, code).toBe(status)
      expect(await json(res)).toMatchObject({ code, status })
    }
  })

  it('refuses a body over 64 KiB even when it is streamed without a length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk)
        else controller.close()
      },
      cancel() {
        sent = Infinity // the server stopped reading at the limit
      },
    })
    const res = await call('/v1/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream })
    expect(res.status).toBe(413)
    expect(await json(res)).toMatchObject({ code: 'payload_too_large' })
  })

  it('answers unknown routes and methods with a 404 problem', async () => {
    for (const [method, path] of [['GET', '/v1/nope'], ['PUT', '/v1/me'], ['GET', '/nope'], ['PATCH', '/v1/auth/login']] as const) {
      const res = await call(path, { method })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(await json(res)).toMatchObject({ code: 'not_found' })
    }
  })

  it('never answers a 5xx to arbitrary JSON sent to the auth routes, and creates no account', async () => {
    const before = await snapshot()
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/auth/register', '/v1/auth/login'), fc.jsonValue({ maxDepth: 4 }), async (path, body) => {
        const res = await call(path, { method: 'POST', json: body })
        expect(res.status).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
      }),
      { numRuns: 150 },
    )
    // Hostile objects shaped like the real request, with every field of the wrong kind.
    const field = fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object())
    await fc.assert(
      fc.asyncProperty(fc.record({ email: field, password: field, displayName: field }, { requiredKeys: [] }), async (body) => {
        const res = await call('/v1/auth/register', { method: 'POST', json: body })
        expect([400, 409]).toContain(res.status)
      }),
      { numRuns: 150 },
    )
    expect(await snapshot()).toEqual(before)
  }, 60_000)
})

describe('access before input', () => {
  it('answers an anonymous caller 401 on every secured operation, before reading its body', async () => {
    const doc = await json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(await call('/v1/openapi.json'))
    const secured = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.security?.length ?? 0) > 0)
        .map(([method]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'key_00000000000000000000000000') })),
    )
    expect(secured.length).toBeGreaterThanOrEqual(6)
    for (const op of secured) {
      const res = await call(op.path, { method: op.method, ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { json: { not: 'valid' } }) })
      expect(res.status, `${op.method} ${op.path}`).toBe(401)
    }
    // One request per secured operation, each spending the IP's auth quota at its counter object.
  }, 30_000)
})
