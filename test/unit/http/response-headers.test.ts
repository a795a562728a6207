import { Hono, type Context } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { setResponseHeaders } from '../../../src/http/response-headers'

/** An app whose middleware sets two headers on whatever `respond` returned. */
function testApp(respond: () => Response | Promise<Response>) {
  const app = new Hono<AppEnv>()
    .use(async function addHeaders(c, next) {
      await next()
      setResponseHeaders(c, { 'X-Request-Id': 'req_fixed', 'RateLimit-Policy': '"write";q=60;w=60' })
    })
    .get('/t', () => respond())
  return app
}

const immutable = (res: Response): boolean => {
  try {
    res.headers.set('x-probe', '1')
    return false
  } catch (err) {
    if (err instanceof TypeError) return true
    throw err
  }
}

describe('setResponseHeaders', () => {
  it("sets the headers on a handler's ordinary response", async () => {
    const app = testApp(() => new Response('hello', { status: 201, headers: { 'content-type': 'text/plain' } }))

    const res = await app.request('/t')

    expect(res.status).toBe(201)
    expect(res.headers.get('x-request-id')).toBe('req_fixed')
    expect(res.headers.get('ratelimit-policy')).toBe('"write";q=60;w=60')
    expect(await res.text()).toBe('hello')
  })

  it('replaces a header the response already had', async () => {
    const app = testApp(() => new Response('hello', { headers: { 'X-Request-Id': 'from-handler' } }))

    expect((await app.request('/t')).headers.get('x-request-id')).toBe('req_fixed')
  })

  it('copies a redirect, whose headers are immutable, keeping status and location', async () => {
    const original = Response.redirect('https://souk.test/docs', 301)
    expect(immutable(original)).toBe(true) // the case this test is about
    const app = testApp(() => original)

    const res = await app.request('/t')

    expect(res).not.toBe(original)
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe('https://souk.test/docs')
    expect(res.headers.get('x-request-id')).toBe('req_fixed')
    expect(res.headers.get('ratelimit-policy')).toBe('"write";q=60;w=60')
  })

  it('copies a response that came from fetch, keeping status, headers and body', async () => {
    const original = await fetch('data:text/plain;charset=utf-8,fetched%20body')
    expect(immutable(original)).toBe(true)
    const app = testApp(() => original)

    const res = await app.request('/t')

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain;charset=utf-8')
    expect(res.headers.get('x-request-id')).toBe('req_fixed')
    expect(await res.text()).toBe('fetched body')
  })

  it('rethrows anything other than the immutable-headers TypeError, leaving the response as it was', () => {
    const failure = new RangeError('not a header problem')
    const res = { headers: { set: () => { throw failure } } }
    const c = { res } as unknown as Context

    expect(() => setResponseHeaders(c, { 'X-Request-Id': 'req_fixed' })).toThrow(failure)
    expect(c.res).toBe(res)
  })
})
