import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/config'
import type { AppEnv } from '../../../src/env'
import { Problem } from '../../../src/http/problem'
import { problemTitles } from '../../../src/http/problem-codes'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { captureLog, problemOf, TEST_REQUEST_ID, testContext } from './harness'

/** An app whose only route throws `err`, rendered by the app's one error handler. */
function throwing(err: Error) {
  const capture = captureLog()
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(testContext({ log: capture.log }))
    .get('/boom', () => {
      throw err
    })
  return { app, ...capture }
}

describe('renderProblem', () => {
  it('renders a thrown Problem as application/problem+json with every member, its errors, extras and headers', async () => {
    const problem = new Problem(429, 'rate_limited', 'Slow down, please', {
      errors: [{ in: 'body', path: 'items.0.quantity', message: 'too many' }],
      extra: { limit: { requests: 20, windowSeconds: 60 } },
      headers: { 'Retry-After': '30' },
    })
    const { app } = throwing(problem)

    const res = await app.request('/boom?page=2')

    expect(res.headers.get('retry-after')).toBe('30')
    expect(await problemOf(res, 429)).toEqual({
      type: '/docs#problem-rate_limited',
      title: problemTitles.rate_limited,
      status: 429,
      detail: 'Slow down, please',
      code: 'rate_limited',
      instance: '/boom',
      requestId: TEST_REQUEST_ID,
      errors: [{ in: 'body', path: 'items.0.quantity', message: 'too many' }],
      limit: { requests: 20, windowSeconds: 60 },
    })
  })

  it('uses the title as detail when a Problem has none, and leaves errors out when there are none', async () => {
    const { app } = throwing(new Problem(403, 'forbidden'))

    const body = await problemOf(await app.request('/boom'), 403)

    expect(body.detail).toBe(problemTitles.forbidden)
    expect(body).not.toHaveProperty('errors')
  })

  it.each([
    [400, 'malformed_json'],
    [401, 'unauthenticated'],
    [404, 'not_found'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
  ] as const)("maps Hono's HTTPException %i to the %s problem", async (status, code) => {
    const { app } = throwing(new HTTPException(status, { message: 'hono says no' }))

    const body = await problemOf(await app.request('/boom'), status)

    expect(body).toMatchObject({ code, title: problemTitles[code], requestId: TEST_REQUEST_ID })
    expect(JSON.stringify(body)).not.toContain('hono says no')
  })

  it('answers a 500 internal_error for an HTTPException with a server status', async () => {
    const { app } = throwing(new HTTPException(503, { message: 'upstream down' }))

    expect(await problemOf(await app.request('/boom'), 500)).toMatchObject({ code: 'internal_error' })
  })

  it('answers a ConfigError with 503 service_misconfigured, naming the settings in the log only', async () => {
    const { app, entries } = throwing(new ConfigError(['PSEUDONYM_KEY: must be at least 32 characters']))

    const res = await app.request('/boom')
    const text = await res.clone().text()

    expect(await problemOf(res, 503)).toMatchObject({ code: 'service_misconfigured' })
    expect(text).not.toContain('PSEUDONYM_KEY')
    expect(entries()).toEqual([
      expect.objectContaining({ level: 'error', msg: 'config_invalid', problems: ['PSEUDONYM_KEY: must be at least 32 characters'] }),
    ])
  })

  describe('a transient platform error', () => {
    const lost = () => Object.assign(new Error('Network connection lost.'), { retryable: true })

    it.each([
      ['a lost connection to an object', lost(), '1'],
      ['a D1 reset, unflagged', new Error('D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.'), '1'],
      ['a D1 error wrapped by drizzle', new Error('Failed query: insert into "orders"', { cause: lost() }), '1'],
      ['an overloaded object', Object.assign(new Error('Durable Object is overloaded. Too many requests queued.'), { overloaded: true }), '2'],
    ])('answers %s with 503 service_unavailable and Retry-After %s, not a 500', async (_name, err, retryAfter) => {
      const { app } = throwing(err)

      const res = await app.request('/boom')

      expect(res.headers.get('retry-after')).toBe(retryAfter)
      expect(await problemOf(res, 503)).toEqual({
        type: '/docs#problem-service_unavailable',
        title: problemTitles.service_unavailable,
        status: 503,
        detail: problemTitles.service_unavailable,
        code: 'service_unavailable',
        instance: '/boom',
        requestId: TEST_REQUEST_ID,
      })
    })

    it('logs a warning that names the error and whether it was overload, never unhandled_error', async () => {
      const { app, entries } = throwing(Object.assign(new Error('Durable Object is overloaded.'), { overloaded: true }))

      await app.request('/boom')

      expect(entries()).toEqual([
        expect.objectContaining({
          level: 'warn',
          msg: 'service_unavailable',
          overloaded: true,
          err: expect.objectContaining({ message: 'Durable Object is overloaded.' }) as unknown,
        }),
      ])
    })

    it('keeps a bug a 500 even when its message sounds transient', async () => {
      const { app, entries } = throwing(new TypeError('Network connection lost.'))

      expect(await problemOf(await app.request('/boom'), 500)).toMatchObject({ code: 'internal_error' })
      expect(entries()).toEqual([expect.objectContaining({ level: 'error', msg: 'unhandled_error' })])
    })

    it('lets a thrown Problem speak for itself even when it looks transient', async () => {
      const { app } = throwing(Object.assign(new Problem(409, 'sold_out'), { retryable: true }))

      expect(await problemOf(await app.request('/boom'), 409)).toMatchObject({ code: 'sold_out' })
    })
  })

  describe('an unexpected error', () => {
    const secret = 'sk_live_SECRETSECRETSECRET'
    const err = new Error(`charge failed for ${secret} with password=hunter2`)
    err.stack = `Error: charge failed for ${secret} with password=hunter2\n    at chargeCard (/srv/souk/src/payments/gateway.ts:42:13)`

    it('answers a bare 500 internal_error with neither the message, the secret nor the stack', async () => {
      const { app } = throwing(err)

      const res = await app.request('/boom')
      const text = await res.clone().text()
      const body = await problemOf(res, 500)

      expect(body).toEqual({
        type: '/docs#problem-internal_error',
        title: problemTitles.internal_error,
        status: 500,
        detail: problemTitles.internal_error,
        code: 'internal_error',
        instance: '/boom',
        requestId: TEST_REQUEST_ID,
      })
      for (const leak of [secret, 'hunter2', 'charge failed', 'gateway.ts', '    at ']) expect(text).not.toContain(leak)
    })

    it('logs the error with its stack, the sk_ token scrubbed', async () => {
      const { app, lines, entries } = throwing(err)

      await app.request('/boom')

      expect(entries()).toEqual([
        expect.objectContaining({
          level: 'error',
          msg: 'unhandled_error',
          err: expect.objectContaining({
            name: 'Error',
            message: expect.stringContaining('charge failed for [secret]') as unknown,
            stack: expect.stringContaining('gateway.ts:42:13') as unknown,
          }) as unknown,
        }),
      ])
      expect(lines.join('\n')).not.toContain(secret)
    })
  })

})

describe('notFound', () => {
  it('answers an unmatched route with a 404 not_found problem naming method and path', async () => {
    const { app } = throwing(new Error('unused'))

    const body = await problemOf(await app.request('/nope', { method: 'DELETE' }), 404)

    expect(body).toMatchObject({
      code: 'not_found',
      type: '/docs#problem-not_found',
      detail: 'No route for DELETE /nope',
      instance: '/nope',
      requestId: TEST_REQUEST_ID,
    })
  })
})
