import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { demoAccounts } from '../../scripts/seed'
import { baseUrl, email, PASSWORD } from '../support/node/client'

/**
 * A fuzz of every operation in GET /v1/openapi.json, generated from the document: hostile path
 * parameters, query parameters, JSON bodies (each field of the example replaced, the whole body
 * replaced, bytes that are not JSON, a body over the limit, the wrong content type) and headers.
 * However hostile the request, Souk answers it: never a 5xx. (That a refused request changes
 * nothing is checked route by route in the integration tests.) Each operation is called by a
 * user of its own, so one that erases or logs out spends nobody else; admin routes by the admin.
 */

type Parameter = { name: string; in: string; example?: unknown }
type Media = { example?: unknown; schema?: { $ref?: string } }
type Operation = { operationId: string; security?: unknown[]; parameters?: Parameter[]; requestBody?: { content: Record<string, Media> } }
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { example?: unknown }> } }
type Call = { method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string; contentType?: string }

const hostileStrings = [
  '',
  ' ',
  'a'.repeat(5_000),
  'nul\u0000byte',
  'lone\ud800half',
  '💥🧨',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '-1',
  '1e309',
  'NaN',
  'null',
  '[]',
  `usr_${'0'.repeat(26)}`,
  `lst_${'z'.repeat(26)}`,
]

const exampleOf = (p: Parameter | undefined): string => (typeof p?.example === 'string' || typeof p?.example === 'number' ? String(p.example) : 'x')

const deep = (depth: number): unknown => (depth === 0 ? 1 : [deep(depth - 1)])
const hostileValues: unknown[] = [null, true, -1, 0.5, 1e308, -0, [], {}, 'x', ...hostileStrings.slice(2, 8), { __proto__: { admin: true } }, deep(200), Array.from({ length: 2_000 }, (_, i) => i)]

/** A few generated JSON values too, the same on every run. */
const generated = fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 12, seed: 1205 })

/** Header values a fetch can carry (Latin-1 only). */
const hostileHeaderValues = ['', ' ', 'x'.repeat(4_000), 'latest', '2020-01-01', '"', 'W/"1", *', '\t', '0-0-0-0']

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T
}

async function newUser(label: string): Promise<string> {
  const res = await fetch(`${baseUrl()}/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: email(label), password: PASSWORD, displayName: label }) })
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`)
  return (await json<{ token: string }>(res)).token
}

async function adminToken(): Promise<string> {
  const admin = demoAccounts.find((a) => a.role === 'admin')
  const res = await fetch(`${baseUrl()}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: admin?.email, password: admin?.password }) })
  return (await json<{ token: string }>(res)).token
}

/** The example body of an operation: on its media type, or on the schema it refers to. */
function exampleBody(doc: Doc, op: Operation): unknown {
  const media = op.requestBody?.content['application/json']
  if (!media) return undefined
  if (media.example !== undefined) return media.example
  const ref = media.schema?.$ref?.replace('#/components/schemas/', '')
  return ref ? doc.components.schemas[ref]?.example : undefined
}

/** A path segment as a client would send it; a lone surrogate, which has no UTF-8, as the bytes a careless encoder writes for it. */
const segment = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\u0001')).replaceAll('%01', '%ED%A0%80')

/** Every hostile request for one operation. */
function callsFor(doc: Doc, path: string, method: string, op: Operation): Call[] {
  const params = op.parameters ?? []
  const pathParams = params.filter((p) => p.in === 'path')
  const withParams = (overrides: Record<string, string> = {}) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => segment(overrides[name] ?? exampleOf(pathParams.find((p) => p.name === name))))
  const calls: Call[] = []
  for (const p of pathParams) for (const s of hostileStrings) calls.push({ method, path: withParams({ [p.name]: s }) })
  for (const p of params.filter((q) => q.in === 'query')) for (const s of hostileStrings) calls.push({ method, path: withParams(), query: { [p.name]: s } })
  for (const name of ['Souk-Version', 'Idempotency-Key', 'If-Match', 'Souk-Bookmark', 'X-MFA-Code']) {
    for (const v of hostileHeaderValues) calls.push({ method, path: withParams(), headers: { [name]: v } })
  }
  if (op.requestBody) {
    const example = exampleBody(doc, op)
    const body = (value: unknown): Call => ({ method, path: withParams(), body: JSON.stringify(value), contentType: 'application/json' })
    if (example && typeof example === 'object' && !Array.isArray(example)) {
      for (const field of Object.keys(example)) for (const v of hostileValues) calls.push(body({ ...example, [field]: v }))
      calls.push(body({ ...example, unexpected: 'field' }))
    }
    for (const v of [...hostileValues, ...generated]) calls.push(body(v))
    for (const raw of ['not json', '{"a":', '\ufeff{}', '{"a":1}{"b":2}', 'x'.repeat(70_000)]) calls.push({ method, path: withParams(), body: raw, contentType: 'application/json' })
    calls.push({ method, path: withParams(), body: JSON.stringify(example ?? {}), contentType: 'text/plain' })
  }
  return calls
}

async function send(c: Call, token: string | undefined): Promise<{ status: number; text: string }> {
  const url = new URL(`${baseUrl()}${c.path}`)
  for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, v)
  const headers: Record<string, string> = { ...c.headers }
  if (token) headers.authorization = `Bearer ${token}`
  if (c.contentType) headers['content-type'] = c.contentType
  const res = await fetch(url, { method: c.method.toUpperCase(), headers, body: c.body })
  return { status: res.status, text: (await res.text()).slice(0, 300) }
}

/** Runs `calls` a few at a time; answers the ones Souk answered with a 5xx, and how many it refused with a 400. */
async function fuzz(calls: Call[], token: string | undefined): Promise<{ fiveHundreds: string[]; badRequests: number }> {
  const failures: string[] = []
  let badRequests = 0
  for (let i = 0; i < calls.length; i += 8) {
    const batch = calls.slice(i, i + 8)
    const answers = await Promise.all(batch.map((c) => send(c, token)))
    answers.forEach((a, j) => {
      const c = batch[j] as Call
      if (a.status === 400) badRequests++
      if (a.status >= 500) failures.push(`${c.method.toUpperCase()} ${c.path}${c.query ? `?${new URLSearchParams(c.query).toString()}` : ''} ${JSON.stringify(c.headers ?? {})} ${(c.body ?? '').slice(0, 120)} → ${a.status} ${a.text}`)
    })
  }
  return { fiveHundreds: failures, badRequests }
}

describe('every operation, fuzzed from the document', async () => {
  const doc = await json<Doc>(await fetch(`${baseUrl()}/v1/openapi.json`))
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ path, method, op })),
  )

  it('covers the whole document', () => {
    expect(operations.length).toBeGreaterThan(70)
  })

  it.for(operations.map((o) => ({ name: `${o.op.operationId}: ${o.method.toUpperCase()} ${o.path}`, ...o })))('$name never answers a 5xx', { timeout: 120_000 }, async ({ path, method, op }) => {
    const calls = callsFor(doc, path, method, op)
    const secured = (op.security ?? []).length > 0
    const token = !secured ? undefined : /^\/v1\/(admin|dev)\//.test(path) ? await adminToken() : await newUser(`fuzz-${op.operationId}`)
    const { fiveHundreds, badRequests } = await fuzz(calls, token)
    expect(fiveHundreds).toEqual([])
    // The requests were read, not lost on the way: at least the hostile Souk-Version values are 400s.
    expect(badRequests).toBeGreaterThanOrEqual(hostileHeaderValues.length - 1)
  })
})
