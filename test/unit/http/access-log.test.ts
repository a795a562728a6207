import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Principal } from '../../../src/accounts/principal'
import type { AppEnv } from '../../../src/env'
import { accessLog } from '../../../src/http/access-log'
import { Problem } from '../../../src/http/problem'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { apiKeyUser, captureLog, FIXED_NOW, sessionUser, testContext } from './harness'

const T0 = new Date('2031-06-07T08:09:10.000Z')

function testApp(principal?: Principal) {
  const capture = captureLog()
  const items = new Hono<AppEnv>()
    .get('/items/:id', (c) => {
      vi.setSystemTime(T0.getTime() + 250) // the handler "takes" 250 ms of the fake clock
      return c.json({ id: c.req.param('id') })
    })
    .post('/items/:id/bids', (c) => c.json({ ok: true }, 201))
    .get('/replayed', (c) => c.json({ ok: true }, 201, { 'Idempotent-Replayed': 'true' }))
    .get('/conflict', () => {
      throw new Problem(409, 'email_taken')
    })
    .get('/crash', () => {
      throw new Error('database exploded')
    })
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: capture.log, principal }), accessLog())
    .route('/v1', items)
  const requestLines = () => capture.entries().filter((line) => line.msg === 'request')
  return { app, requestLines, ...capture }
}

describe('accessLog', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(T0)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('writes exactly one line per request with method, route pattern, status, duration and no caller', async () => {
    const { app, lines, entries } = testApp()

    const res = await app.request('/v1/items/itm_0042')

    expect(res.status).toBe(200)
    expect(lines).toHaveLength(1)
    expect(entries()[0]).toEqual({
      time: FIXED_NOW.toISOString(),
      level: 'info',
      msg: 'request',
      method: 'GET',
      route: '/v1/items/:id',
      status: 200,
      durationMs: 250,
      credential: 'none',
    })
  })

  it('logs the pattern of the route that answered, not the concrete path', async () => {
    const { app, requestLines } = testApp()

    await app.request('/v1/items/itm_0042/bids', { method: 'POST' })

    expect(requestLines()).toEqual([expect.objectContaining({ method: 'POST', route: '/v1/items/:id/bids', status: 201 })])
    expect(JSON.stringify(requestLines())).not.toContain('itm_0042')
  })

  it('never puts the query string or an e-mail address in the line', async () => {
    const { app, lines } = testApp()

    await app.request('/v1/items/alice@example.com?email=bob%40example.com&q=carol@example.org')

    expect(lines).toHaveLength(1)
    for (const leak of ['alice', 'bob', 'carol', 'example.', '?', 'q=']) expect(lines[0]).not.toContain(leak)
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ route: '/v1/items/:id', status: 200 })
  })

  it('logs route null, and no path, for a request no route matched', async () => {
    const { app, requestLines } = testApp()

    const res = await app.request('/v1/users/dave@example.com/secret-plans?x=1')

    expect(res.status).toBe(404)
    expect(requestLines()).toEqual([expect.objectContaining({ method: 'GET', route: null, status: 404 })])
    expect(JSON.stringify(requestLines())).not.toMatch(/dave|secret-plans|x=1/)
  })

  it('logs a 4xx problem at level info with its status', async () => {
    const { app, requestLines } = testApp()

    await app.request('/v1/conflict')

    expect(requestLines()).toEqual([expect.objectContaining({ level: 'info', route: '/v1/conflict', status: 409 })])
  })

  it('logs a 5xx at level error, once', async () => {
    const { app, requestLines } = testApp()

    const res = await app.request('/v1/crash')

    expect(res.status).toBe(500)
    expect(requestLines()).toEqual([expect.objectContaining({ level: 'error', route: '/v1/crash', status: 500 })])
  })

  it("names a session caller by user id and credential kind, never by the credential's id", async () => {
    const user = sessionUser()
    const { app, lines, requestLines } = testApp(user)

    await app.request('/v1/items/itm_0042')

    expect(requestLines()).toEqual([expect.objectContaining({ userId: user.userId, credential: 'session' })])
    expect(lines[0]).not.toContain(user.credential.id)
  })

  it('names an API key caller as api_key', async () => {
    const user = apiKeyUser(['account:read'])
    const { app, requestLines } = testApp(user)

    await app.request('/v1/items/itm_0042')

    expect(requestLines()).toEqual([expect.objectContaining({ userId: user.userId, credential: 'api_key' })])
  })

  it('marks an idempotent replay, and only then', async () => {
    const { app, requestLines } = testApp()

    await app.request('/v1/replayed')
    await app.request('/v1/items/itm_0042')

    const [replayed, fresh] = requestLines()
    expect(replayed).toMatchObject({ route: '/v1/replayed', replayed: true })
    expect(fresh).not.toHaveProperty('replayed')
  })
})
