import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { call, json, register } from '../support/api'

type Doc = {
  openapi: string
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; security?: unknown[] }>>
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> }
}

/** Routes that describe the contract rather than belong to it. */
const undocumented = new Set(['GET /v1/openapi.json', 'GET /docs'])
/** Pages for people (the ops console, the marketplace) are HTML, not the API: everything outside /v1 but /health. */
const isPage = (route: string) => { const path = route.split(' ')[1] ?? ''; return !path.startsWith('/v1') && path !== '/health' }

describe('GET /v1/openapi.json', () => {
  it('documents every route the app serves, and nothing it does not', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    expect(doc.openapi).toBe('3.1.0')
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)),
    )
    const served = new Set(
      createApp()
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`)
        .filter((r) => !undocumented.has(r) && !isPage(r)),
    )
    expect([...documented].sort()).toEqual([...served].sort())
  })

  it('declares the Idempotency-Key header on every POST, bearer auth, and problem responses', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.components.schemas.Problem).toBeDefined()
    for (const [path, item] of Object.entries(doc.paths)) {
      const post = item.post
      if (post) expect(post.parameters?.some((p) => p.name === 'Idempotency-Key' && p.in === 'header'), path).toBe(true)
      for (const [method, op] of Object.entries(item)) {
        if (path.startsWith('/v1/') && op.security === undefined) continue
        if (op.security) expect(Object.keys(op.responses), `${method} ${path}`).toContain('401')
      }
    }
  })

  it('publishes every pattern as a plain ECMAScript pattern (u flag) that accepts what the route accepts', async () => {
    const text = await (await call('/v1/openapi.json')).text()
    const patterns: string[] = []
    JSON.parse(text, (key, value: unknown) => {
      if (key === 'pattern' && typeof value === 'string') patterns.push(value)
      return value
    })
    expect(patterns.length).toBeGreaterThan(10)
    for (const pattern of patterns) {
      expect(pattern, pattern).not.toMatch(/(?<!\\)\/[a-z]+$/)
      expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow()
    }
    const doc = JSON.parse(text) as { components: { schemas: Record<string, { properties: Record<string, { pattern?: string }> }> } }
    const title = new RegExp(doc.components.schemas.CreateListingRequest?.properties.title?.pattern ?? '', 'u')
    expect(title.test('Brass lamp')).toBe(true)
    expect(title.test('Brass\u0007lamp')).toBe(false)
    const displayName = new RegExp(doc.components.schemas.RegisterRequest?.properties.displayName?.pattern ?? '', 'u')
    expect(displayName.test('Ada Lovelace')).toBe(true)
    expect(displayName.test('Ada\u0000')).toBe(false)
  })

  it('publishes Idempotency-Key as required where the route refuses a request without one, optional on other POSTs', async () => {
    const doc = await json<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>> }>(await call('/v1/openapi.json'))
    const keyOf = (method: string, path: string) => doc.paths[path]?.[method]?.parameters?.filter((p) => p.name === 'Idempotency-Key' && p.in === 'header')
    expect(keyOf('post', '/v1/checkout')).toEqual([expect.objectContaining({ required: true })])
    expect(keyOf('post', '/v1/me/payouts')).toEqual([expect.objectContaining({ required: true })])
    expect(keyOf('post', '/v1/listings')).toEqual([expect.objectContaining({ required: false })])
    const missing = await call('/v1/checkout', { method: 'POST', token: (await register('buyer')).token, json: {} })
    expect(missing.status).toBe(400)
    expect(await json(missing)).toMatchObject({ code: 'idempotency_key_missing' })
  })

  it('names every operation with a unique camelCase operationId, and says where the API is served', async () => {
    const doc = await json<{ servers?: { url: string }[]; paths: Record<string, Record<string, { operationId?: string }>> }>(await call('/v1/openapi.json'))
    expect(doc.servers).toEqual([{ url: '/' }])
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/)
    expect(new Set(ids).size).toBe(ids.length)
    expect(doc.paths['/v1/listings/{id}']?.get?.operationId).toBe('getListingsById')
    expect(doc.paths['/v1/checkout']?.post?.operationId).toBe('postCheckout')
  })

  it('documents the headers the middleware puts on responses', async () => {
    type Headers = Record<string, { $ref?: string }>
    const doc = await json<{ components: { headers: Record<string, unknown> }; paths: Record<string, Record<string, { responses: Record<string, { headers?: Headers }> }>> }>(
      await call('/v1/openapi.json'),
    )
    for (const name of ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After']) expect(doc.components.headers[name], name).toBeDefined()
    const ref = (name: string) => ({ $ref: `#/components/headers/${name}` })
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const where = `${method} ${path} ${status}`
          expect(response.headers?.['X-Request-Id'], where).toEqual(ref('X-Request-Id'))
          if (status === '429' || status === '503') expect(response.headers?.['Retry-After'], where).toBeDefined()
        }
      }
    }
    const listing = doc.paths['/v1/listings/{id}']?.get?.responses['200']?.headers
    expect(listing).toMatchObject({ RateLimit: ref('RateLimit'), 'RateLimit-Policy': ref('RateLimit-Policy') })
    const webhook = Object.values(doc.paths['/v1/webhooks/payments']?.post?.responses ?? {})[0]?.headers
    expect(webhook).toHaveProperty('X-Request-Id')
    expect(webhook).not.toHaveProperty('RateLimit')
    const served = await call('/v1/listings?limit=1')
    expect(served.headers.get('X-Request-Id')).toBeTruthy()
    expect(served.headers.get('RateLimit')).toBeTruthy()
    expect(served.headers.get('RateLimit-Policy')).toBeTruthy()
  })

  it('serves the same document on every call', async () => {
    const a = await (await call('/v1/openapi.json')).text()
    const b = await (await call('/v1/openapi.json')).text()
    expect(b).toBe(a)
  })
})
