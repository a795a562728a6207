import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { Problem } from '../../../src/http/problem'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { requestContext } from '../../../src/http/request-context'
import { problemOf } from './harness'

const generatedRequestId = /^req_[0-9a-hjkmnp-tv-z]{26}$/
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/

type Seen = { requestId: string; traceId: string; spanId: string }

function testApp() {
  const seen: Seen[] = []
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(requestContext())
    .get('/t', (c) => {
      seen.push({ requestId: c.var.requestId, traceId: c.var.traceId, spanId: c.var.spanId })
      c.var.log.info('handled', { step: 'handler' })
      return c.text('handler ran')
    })
    .get('/fail', () => {
      throw new Problem(409, 'email_taken')
    })
    .get('/away', () => Response.redirect('https://souk.test/elsewhere', 302))
  return { app, seen }
}

function traceOf(res: Response): { traceId: string; spanId: string; flags: string } {
  const match = traceparentPattern.exec(res.headers.get('traceparent') ?? '')
  expect(match, `traceparent ${res.headers.get('traceparent')}`).not.toBeNull()
  const [, traceId = '', spanId = '', flags = ''] = match ?? []
  return { traceId, spanId, flags }
}

describe('requestContext', () => {
  let consoleLog: MockInstance<typeof console.log>

  beforeEach(() => {
    consoleLog = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('names a fresh request req_… and starts a trace, echoing both in the response headers', async () => {
    const { app, seen } = testApp()

    const res = await app.request('/t')

    const requestId = res.headers.get('x-request-id') ?? ''
    expect(requestId).toMatch(generatedRequestId)
    const trace = traceOf(res)
    expect(trace.flags).toBe('01')
    expect(seen).toEqual([{ requestId, traceId: trace.traceId, spanId: trace.spanId }])
  })

  it('gives every request its own id and trace', async () => {
    const { app } = testApp()

    const a = await app.request('/t')
    const b = await app.request('/t')

    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'))
    expect(traceOf(a).traceId).not.toBe(traceOf(b).traceId)
  })

  it('gives the handler a logger that stamps request id, trace id and span id on every line', async () => {
    const { app, seen } = testApp()

    await app.request('/t')

    const lines = consoleLog.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    expect(lines).toEqual([expect.objectContaining({ msg: 'handled', step: 'handler', service: 'souk', ...seen[0] })])
  })

  it.each(['abcd1234', 'client-req.42:retry_1', 'A'.repeat(128), '0192f1c2-7b1e-7c4a-9d2e-5f6a7b8c9d0e'])(
    'keeps an acceptable client X-Request-Id %s',
    async (offered) => {
      const { app, seen } = testApp()

      const res = await app.request('/t', { headers: { 'X-Request-Id': offered } })

      expect(res.headers.get('x-request-id')).toBe(offered)
      expect(seen[0]?.requestId).toBe(offered)
    },
  )

  it.each([
    ['too short', 'abc1234'],
    ['too long', 'A'.repeat(129)],
    ['a space', 'abc def ghi'],
    ['a tab', 'abc\tdefghi'],
    ['a double quote', 'abc"defghi'],
    ['a single quote', "abc'defghi"],
    ['angle brackets', '<script>alert(1)</script>'],
    ['a terminal escape', '\u001b[31mred-alert'],
    ['a slash', '../../etc/passwd'],
    ['a non-ASCII letter', 'caf\u00e9-request'],
  ])('replaces a client X-Request-Id with %s', async (_why, offered) => {
    const { app, seen } = testApp()

    const res = await app.request('/t', { headers: { 'X-Request-Id': offered } })

    const requestId = res.headers.get('x-request-id') ?? ''
    expect(requestId).toMatch(generatedRequestId)
    expect(seen[0]?.requestId).toBe(requestId)
  })

  it('continues a valid incoming trace with a new span id of its own', async () => {
    const { app, seen } = testApp()
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

    const res = await app.request('/t', { headers: { traceparent: incoming } })

    const trace = traceOf(res)
    expect(trace.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(trace.spanId).not.toBe('00f067aa0ba902b7')
    expect(trace.flags).toBe('01')
    expect(seen[0]?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(seen[0]?.spanId).toBe(trace.spanId)
  })

  it("keeps the caller's unsampled flag", async () => {
    const { app } = testApp()

    const res = await app.request('/t', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' } })

    expect(traceOf(res)).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '00' })
  })

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent span', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['the forbidden version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
    ['extra fields on version 00', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'],
  ])('starts a new trace when the incoming traceparent has %s', async (_why, incoming) => {
    const { app, seen } = testApp()

    const res = await app.request('/t', { headers: { traceparent: incoming } })

    const trace = traceOf(res)
    expect(trace.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(trace.traceId).not.toMatch(/^0+$/)
    expect(trace.flags).toBe('01')
    expect(seen[0]?.traceId).toBe(trace.traceId)
  })

  it('sets both headers on problem responses too, with the same request id as the body', async () => {
    const { app } = testApp()

    const res = await app.request('/fail', { headers: { 'X-Request-Id': 'client-req-0001' } })

    expect(res.headers.get('x-request-id')).toBe('client-req-0001')
    traceOf(res)
    expect(await problemOf(res, 409)).toMatchObject({ code: 'email_taken', requestId: 'client-req-0001' })
  })

  it('sets both headers on a 404 for an unknown route', async () => {
    const { app } = testApp()

    const res = await app.request('/missing')

    const requestId = res.headers.get('x-request-id') ?? ''
    expect(requestId).toMatch(generatedRequestId)
    traceOf(res)
    expect(await problemOf(res, 404)).toMatchObject({ requestId })
  })

  it('sets both headers on a response whose headers are immutable, keeping its status and location', async () => {
    const { app } = testApp()

    const res = await app.request('/away')

    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('https://souk.test/elsewhere')
    expect(res.headers.get('x-request-id')).toMatch(generatedRequestId)
    traceOf(res)
  })
})
