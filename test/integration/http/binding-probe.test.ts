import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { bindingTally } from '../../../src/http/binding-probe'
import type { OperationCounts } from '../../../src/ops/binding-tally'
import { bindingCountsRoutes } from '../../../src/ops/binding-counts-routes'
import { createFixed, newListingId } from '../listings/fixtures'
import { fetchWith, middlewareApp } from '../support/test-app'

/** BINDING_PROBE is a development var wrangler.toml does not declare, so `Env` has no slot for it. */
const ON = { BINDING_PROBE: 'on' } as Partial<Record<keyof Env, unknown>>
const get = (path: string) => new Request(`https://souk.test${path}`)

/** The /v1 middleware around a route that makes known calls, some of them after its response. */
function countedApp() {
  return middlewareApp()
    .get('/v1/things/:id', async (c) => {
      await c.env.DB.prepare('SELECT ? AS id').bind(c.req.param('id')).first()
      await c.env.DB.batch([c.env.DB.prepare('SELECT 1'), c.env.DB.prepare('SELECT 2')])
      await c.env.RATE_LIMITER.getByName(`probe:${crypto.randomUUID()}`).ping()
      c.executionCtx.waitUntil(
        (async () => {
          await new Promise((r) => setTimeout(r, 0)) // after the response is decided
          await c.env.DB.prepare("INSERT INTO webhook_receipts (provider, event_id, received_at) VALUES ('probe-test', ?, 'now')").bind(crypto.randomUUID()).run()
        })(),
      )
      return c.json({ ok: true }, c.req.param('id') === 'missing' ? 404 : 200)
    })
    .route('/v1', bindingCountsRoutes)
}

async function counts(app: ReturnType<typeof countedApp>): Promise<OperationCounts[]> {
  const res = await fetchWith(app, get('/v1/dev/binding-counts'), ON)
  expect(res.status).toBe(200)
  return (await res.json<{ data: OperationCounts[] }>()).data
}

const operation = (data: OperationCounts[], key: string) => data.find((o) => o.operation === key)

beforeEach(() => {
  bindingTally.reset()
})

describe('bindingProbe', () => {
  it('counts each request under its method, route pattern and status, and what it left to waitUntil after the response', async () => {
    const app = countedApp()
    expect((await fetchWith(app, get('/v1/things/a'), ON)).status).toBe(200)
    expect((await fetchWith(app, get('/v1/things/b'), ON)).status).toBe(200)
    expect((await fetchWith(app, get('/v1/things/missing'), ON)).status).toBe(404)
    const data = await counts(app)
    expect(data.map((o) => o.operation)).toEqual(['GET /v1/things/:id 200', 'GET /v1/things/:id 404'])
    const ok = operation(data, 'GET /v1/things/:id 200')
    expect(ok?.requests).toBe(2)
    expect(ok?.request.total).toMatchObject({ d1Statements: 2, d1Batches: 2, d1BatchedStatements: 4, d1Writes: 0, queueSends: 0 })
    expect(ok?.request.total.objectMethods['RATE_LIMITER.ping']).toBe(2)
    // The probe is mounted first: what the other middleware calls (the rate limiter's quota) is counted too.
    expect(ok?.request.total.objectCalls).toBeGreaterThan(2)
    expect(ok?.afterResponse.total).toMatchObject({ d1Statements: 2, d1Batches: 0, d1Writes: 2, objectCalls: 0 })
    expect(ok?.afterResponse.perRequest).toMatchObject({ d1Statements: 1, d1Writes: 1 })
    expect(operation(data, 'GET /v1/things/:id 404')?.requests).toBe(1)
  })

  it('keys a product route by its pattern, whatever the concrete path: GET /v1/listings/:id', async () => {
    const { id } = await createFixed()
    const app = createApp()
    expect((await fetchWith(app, get(`/v1/listings/${id}`), ON)).status).toBe(200)
    expect((await fetchWith(app, get(`/v1/listings/${newListingId()}`), ON)).status).toBe(404)
    const data = await counts(app)
    const found = operation(data, 'GET /v1/listings/:id 200')
    expect(found?.requests).toBe(1)
    expect(found?.request.total.objects.LISTINGS).toBeGreaterThanOrEqual(1)
    expect(operation(data, 'GET /v1/listings/:id 404')?.requests).toBe(1)
    expect(data.some((o) => o.operation.includes(id))).toBe(false)
  })

  it('leaves env alone and counts nothing when BINDING_PROBE is off', async () => {
    let seen: unknown
    const app = middlewareApp().get('/v1/env', (c) => {
      seen = c.env.DB
      return c.text('ok')
    })
    await fetchWith(app, get('/v1/env'))
    expect(seen).toBe(env.DB)
    expect(bindingTally.report()).toEqual([])
  })
})
