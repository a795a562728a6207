import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { requireIdempotencyKey } from '../../../src/http/require-idempotency-key'
import { captureLog, problemOf, testContext } from './harness'

function testApp() {
  let runs = 0
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: captureLog().log }))
    .post('/v1/checkout', requireIdempotencyKey(), (c) => {
      runs += 1
      return c.json({ orderId: 'ord_1' }, 201)
    })
  return { app, runs: () => runs }
}

describe('requireIdempotencyKey', () => {
  it('answers a POST without Idempotency-Key with 400 idempotency_key_missing and never runs the handler', async () => {
    const { app, runs } = testApp()

    const body = await problemOf(await app.request('/v1/checkout', { method: 'POST' }), 400)

    expect(body).toMatchObject({ code: 'idempotency_key_missing', instance: '/v1/checkout' })
    expect(runs()).toBe(0)
  })

  it('does not take a differently named header for the key', async () => {
    const { app, runs } = testApp()

    const res = await app.request('/v1/checkout', { method: 'POST', headers: { 'X-Idempotency-Key': 'a1b2c3' } })

    expect((await problemOf(res, 400)).code).toBe('idempotency_key_missing')
    expect(runs()).toBe(0)
  })

  it.each(['Idempotency-Key', 'idempotency-key'])('runs the handler once when %s is sent', async (name) => {
    const { app, runs } = testApp()

    const res = await app.request('/v1/checkout', { method: 'POST', headers: { [name]: '5f0c6a9e-1d2b-4c3d-8e9f-0a1b2c3d4e5f' } })

    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ orderId: 'ord_1' })
    expect(runs()).toBe(1)
  })
})
