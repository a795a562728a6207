import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OtlpSpan, OtlpTraceRequest } from '../../../src/core/otlp-traces'
import { closeSpan, openSpan, type Span } from '../../../src/core/span'
import { exporterOf, otlpExporter } from '../../../src/platform/otlp-exporter'
import {
  annotateSpan,
  currentSpan,
  currentTraceparent,
  traceFields,
  traceHeader,
  traceInvocation,
  tracedFetch,
  traceparentOf,
  withSpan,
  type Invocation,
} from '../../../src/platform/tracing'

// The example of the W3C Trace Context recommendation, §3.2.
const TRACE = '0af7651916cd43dd8448eb211c80319c'
const PARENT = 'b7ad6b7169203331'
const sampled = `00-${TRACE}-${PARENT}-01`
const unsampled = `00-${TRACE}-${PARENT}-00`

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
/** An invocation with no collector: spans only name the trace. */
const quiet = (): Invocation => ({ env: {}, waitUntil: () => undefined })
const spanNow = (): Span => {
  const span = currentSpan()
  if (!span) throw new Error('no current span')
  return span
}
const spansOf = (body: OtlpTraceRequest): OtlpSpan[] => body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))

/**
 * An invocation whose env names a collector of its own (exporters are cached per endpoint), with
 * `fetch` intercepted for that endpoint: `exported()` waits for what was handed to `waitUntil`
 * and gives the spans the collector got.
 */
function collector(answer: () => Promise<Response> = () => Promise.resolve(new Response(null, { status: 200 }))) {
  const endpoint = `http://collector-${crypto.randomUUID()}.test`
  const requests: { url: string; init: RequestInit | undefined }[] = []
  const pending: Promise<unknown>[] = []
  const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (!url.startsWith(endpoint)) return Promise.reject(new Error(`unexpected fetch of ${url}`))
    requests.push({ url, init })
    return answer()
  })
  const invocation: Invocation = { env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k%201', ENVIRONMENT: 'test' }, waitUntil: (p) => pending.push(p) }
  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0))
  }
  const bodies = async () => {
    await settle()
    return requests.map((r) => JSON.parse(r.init?.body as string) as OtlpTraceRequest)
  }
  const exported = async () => (await bodies()).flatMap(spansOf)
  return { endpoint, invocation, requests, pending, fetchSpy, bodies, exported }
}

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('traceInvocation', () => {
  it('continues a valid traceparent: same trace, the caller’s span as parent, its sampling', async () => {
    for (const [header, isSampled] of [
      [sampled, true],
      [unsampled, false],
    ] as const) {
      const span = await traceInvocation(quiet(), { name: 'POST /v1/bids', kind: 'server', traceparent: header }, () => Promise.resolve(spanNow()))
      expect(span).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, sampled: isSampled, name: 'POST /v1/bids', kind: 'server' })
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
      expect(span.spanId).not.toBe(PARENT)
    }
  })

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['upper-case hex', sampled.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['an empty string', ''],
    ['null', null],
  ])('starts a new sampled trace on %s', async (_, header) => {
    const span = await traceInvocation(quiet(), { name: 'x', kind: 'server', traceparent: header }, () => Promise.resolve(spanNow()))
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(span.traceId).not.toBe(TRACE)
    expect(span).not.toHaveProperty('parentSpanId')
    expect(span.sampled).toBe(true)
  })

  it('is a child of the current span when there is no valid traceparent (an invocation inside another)', async () => {
    const [outer, inner] = await traceInvocation(quiet(), { name: 'outer', kind: 'server' }, async () => {
      const o = spanNow()
      const i = await traceInvocation(quiet(), { name: 'inner', kind: 'internal', traceparent: 'bad' }, () => Promise.resolve(spanNow()))
      return [o, i]
    })
    expect(inner).toMatchObject({ traceId: outer.traceId, parentSpanId: outer.spanId })
  })

  it('makes a new trace each time there is no parent', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => traceInvocation(quiet(), { name: 'x', kind: 'server' }, () => Promise.resolve(spanNow().traceId))))
    expect(new Set(ids).size).toBe(20)
  })

  it('returns what the function returns and leaves no span current afterwards', async () => {
    expect(await traceInvocation(quiet(), { name: 'x', kind: 'server' }, () => Promise.resolve(42))).toBe(42)
    expect(currentSpan()).toBeUndefined()
  })

  it('closes the span as an error when the function throws, and rethrows the same error', async () => {
    const c = collector()
    const boom = new RangeError('out of stock')
    await expect(traceInvocation(c.invocation, { name: 'checkout', kind: 'server', traceparent: sampled }, () => Promise.reject(boom))).rejects.toBe(boom)
    expect(currentSpan()).toBeUndefined()
    const [span] = await c.exported()
    expect(span).toMatchObject({ name: 'checkout', traceId: TRACE, parentSpanId: PARENT, status: { code: 2, message: 'RangeError: out of stock' } })
  })

  it('closes the span as an error even when the rejection has no reason (Promise.reject())', async () => {
    const c = collector()
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    await expect(traceInvocation(c.invocation, { name: 'reasonless', kind: 'server' }, () => Promise.reject())).rejects.toBeUndefined()
    const [span] = await c.exported()
    expect(span?.status).toEqual({ code: 2, message: 'failed' })
  })

  it('exports a span that returned as ok, with its times in order', async () => {
    const c = collector()
    await traceInvocation(c.invocation, { name: 'quick', kind: 'server', attributes: { 'http.route': '/v1/x' } }, () => sleep(2))
    const [span] = await c.exported()
    expect(span).toMatchObject({ name: 'quick', kind: 2, status: { code: 1 }, attributes: [{ key: 'http.route', value: { stringValue: '/v1/x' } }] })
    expect(BigInt(span?.endTimeUnixNano ?? '0') >= BigInt(span?.startTimeUnixNano ?? '1')).toBe(true)
  })
})

describe('withSpan', () => {
  it('nests children under the current span across awaits and into setTimeout callbacks', async () => {
    const seen: Record<string, Span> = {}
    await traceInvocation(quiet(), { name: 'root', kind: 'server' }, async () => {
      seen.root = spanNow()
      await withSpan({ name: 'a', kind: 'internal' }, async () => {
        seen.a = spanNow()
        await sleep(3)
        await withSpan({ name: 'b', kind: 'client' }, async () => {
          await sleep(1)
          seen.b = spanNow()
          seen.timer = await new Promise<Span>((resolve) => setTimeout(() => resolve(spanNow()), 2))
        })
        seen.afterB = spanNow()
      })
      seen.afterA = spanNow()
    })
    const { root, a, b, timer, afterA, afterB } = seen
    expect(a).toMatchObject({ traceId: root?.traceId, parentSpanId: root?.spanId, name: 'a' })
    expect(b).toMatchObject({ traceId: root?.traceId, parentSpanId: a?.spanId, name: 'b', kind: 'client' })
    expect(timer?.spanId).toBe(b?.spanId)
    expect(afterB?.spanId).toBe(a?.spanId)
    expect(afterA?.spanId).toBe(root?.spanId)
  })

  it('continues a traceparent it is given (a queue message’s producer), inside the invocation', async () => {
    const span = await traceInvocation(quiet(), { name: 'batch', kind: 'consumer' }, () => withSpan({ name: 'message', kind: 'consumer', traceparent: sampled }, () => Promise.resolve(spanNow())))
    expect(span).toMatchObject({ traceId: TRACE, parentSpanId: PARENT })
  })

  it('just runs the function outside any invocation, with no span', async () => {
    expect(await withSpan({ name: 'lonely', kind: 'internal' }, () => Promise.resolve(currentSpan()))).toBeUndefined()
  })

  it('keeps 50 concurrent invocations apart: every child is in its own root’s trace, under its own parent', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        traceInvocation(quiet(), { name: `request ${i}`, kind: 'server' }, async () => {
          const root = spanNow()
          await sleep(Math.floor(Math.random() * 8))
          const child = await withSpan({ name: 'child', kind: 'client' }, async () => {
            await sleep(Math.floor(Math.random() * 8))
            const inner = await withSpan({ name: 'grandchild', kind: 'internal' }, async () => {
              await sleep(Math.floor(Math.random() * 4))
              return spanNow()
            })
            return { child: spanNow(), inner }
          })
          await sleep(Math.floor(Math.random() * 4))
          return { i, root, after: spanNow(), ...child }
        }),
      ),
    )
    expect(new Set(results.map((r) => r.root.traceId)).size).toBe(50)
    for (const r of results) {
      expect(r.root.name).toBe(`request ${r.i}`)
      expect(r.child).toMatchObject({ traceId: r.root.traceId, parentSpanId: r.root.spanId })
      expect(r.inner).toMatchObject({ traceId: r.root.traceId, parentSpanId: r.child.spanId })
      expect(r.after.spanId).toBe(r.root.spanId)
    }
  })
})

describe('the current trace, as headers and log fields', () => {
  it('gives nothing outside a span', () => {
    expect(currentTraceparent()).toBeUndefined()
    expect(traceHeader()).toEqual({})
    expect(traceFields()).toEqual({})
  })

  it('gives the current span inside one, with its sampling flag', async () => {
    for (const [header, flag] of [
      [sampled, '01'],
      [unsampled, '00'],
    ] as const) {
      await traceInvocation(quiet(), { name: 'x', kind: 'server', traceparent: header }, () =>
        withSpan({ name: 'child', kind: 'internal' }, () => {
          const { spanId } = spanNow()
          expect(currentTraceparent()).toBe(`00-${TRACE}-${spanId}-${flag}`)
          expect(traceHeader()).toEqual({ traceparent: `00-${TRACE}-${spanId}-${flag}` })
          expect(traceFields()).toEqual({ traceId: TRACE, spanId })
          return Promise.resolve()
        }),
      )
    }
  })
})

describe('annotateSpan', () => {
  it('renames the current span, adds attributes and marks an error that ends it as failed', async () => {
    const c = collector()
    await traceInvocation(c.invocation, { name: 'GET', kind: 'server', attributes: { 'http.request.method': 'GET' } }, () => {
      annotateSpan({ name: 'GET /v1/listings/:id', attributes: { 'http.route': '/v1/listings/:id' } })
      annotateSpan({ attributes: { 'http.response.status_code': 503 }, error: `status 503 ${'x'.repeat(300)}` })
      return Promise.resolve()
    })
    const [span] = await c.exported()
    expect(span?.name).toBe('GET /v1/listings/:id')
    expect(span?.attributes).toEqual([
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.route', value: { stringValue: '/v1/listings/:id' } },
      { key: 'http.response.status_code', value: { intValue: '503' } },
    ])
    expect(span?.status.code).toBe(2)
    expect(span?.status.message).toBe(`status 503 ${'x'.repeat(300)}`.slice(0, 200))
  })

  it('changes only the current span, not its parent', async () => {
    const c = collector()
    await traceInvocation(c.invocation, { name: 'parent', kind: 'server' }, () =>
      withSpan({ name: 'child', kind: 'internal' }, () => {
        annotateSpan({ name: 'renamed child', error: 'failed' })
        return Promise.resolve()
      }),
    )
    const byName = Object.fromEntries((await c.exported()).map((s) => [s.name, s]))
    expect(Object.keys(byName).sort()).toEqual(['parent', 'renamed child'])
    expect(byName['renamed child']?.status.code).toBe(2)
    expect(byName.parent?.status).toEqual({ code: 1 })
  })

  it('does nothing outside a span', () => {
    expect(() => annotateSpan({ name: 'x', error: 'y' })).not.toThrow()
    expect(currentSpan()).toBeUndefined()
  })
})

describe('traceparentOf', () => {
  it.each([
    ['an object with a traceparent', { id: 'evt_1', traceparent: sampled }, sampled],
    ['an object without one', { id: 'evt_1' }, undefined],
    ['a traceparent that is not a string', { traceparent: 42 }, undefined],
    ['a string', sampled, undefined],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
    ['a number', 7, undefined],
  ])('reads %s', (_, body, expected) => {
    expect(traceparentOf(body)).toBe(expected)
  })
})

describe('tracedFetch', () => {
  function fakeProvider(status = 202) {
    const calls: { url: string; headers: Headers }[] = []
    const fetchFn = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: input instanceof Request ? input.url : String(input), headers: new Headers(init?.headers) })
      return Promise.resolve(new Response('{}', { status }))
    }) as unknown as typeof fetch
    return { fetchFn, calls }
  }

  it('sends the traceparent of a client span under the current span, keeps the caller’s headers and records the status', async () => {
    const c = collector()
    const provider = fakeProvider(202)
    const root = await traceInvocation(c.invocation, { name: 'notify', kind: 'consumer', traceparent: sampled }, async () => {
      const res = await tracedFetch(provider.fetchFn, 'push send')('https://push.example/send', { method: 'POST', headers: { authorization: 'vapid t=1' } })
      expect(res.status).toBe(202)
      return spanNow()
    })
    const [call] = provider.calls
    expect(call?.headers.get('authorization')).toBe('vapid t=1')
    const spans = await c.exported()
    const client = spans.find((s) => s.name === 'push send')
    expect(client).toMatchObject({ kind: 3, traceId: TRACE, parentSpanId: root.spanId, status: { code: 1 } })
    expect(client?.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: '202' } })
    // The server sees the client span as its parent, not the span that called.
    expect(call?.headers.get('traceparent')).toBe(`00-${TRACE}-${client?.spanId}-01`)
  })

  it('marks a 5xx answer as a failed span, and still returns it', async () => {
    const c = collector()
    const provider = fakeProvider(503)
    const res = await traceInvocation(c.invocation, { name: 'pay', kind: 'server' }, () => tracedFetch(provider.fetchFn, 'gateway charge')('https://pay.example/charge'))
    expect(res.status).toBe(503)
    const client = (await c.exported()).find((s) => s.name === 'gateway charge')
    expect(client?.status).toEqual({ code: 2, message: 'status 503' })
  })

  it('keeps the headers of a Request given as input', async () => {
    const provider = fakeProvider()
    await traceInvocation(quiet(), { name: 'x', kind: 'server' }, () => tracedFetch(provider.fetchFn, 'call')(new Request('https://api.example/x', { headers: { 'x-key': 'v' } })))
    expect(provider.calls[0]?.headers.get('x-key')).toBe('v')
    expect(provider.calls[0]?.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  })

  it('sends no traceparent outside a trace, and still makes the call', async () => {
    const provider = fakeProvider()
    await tracedFetch(provider.fetchFn, 'call')('https://api.example/x', { headers: { 'x-key': 'v' } })
    expect(provider.calls).toHaveLength(1)
    expect(provider.calls[0]?.headers.has('traceparent')).toBe(false)
  })

  it('ends the client span as an error when the call throws, and rethrows', async () => {
    const c = collector()
    const down = vi.fn(() => Promise.reject(new TypeError('network down'))) as unknown as typeof fetch
    await expect(traceInvocation(c.invocation, { name: 'x', kind: 'server' }, () => tracedFetch(down, 'call')('https://api.example/x'))).rejects.toThrow('network down')
    const client = (await c.exported()).find((s) => s.name === 'call')
    expect(client?.status).toEqual({ code: 2, message: 'TypeError: network down' })
  })
})

describe('export', () => {
  const finished = (n: number): Span[] =>
    Array.from({ length: n }, (_, i) => closeSpan(openSpan(undefined, { name: `s${i}`, kind: 'internal' }, crypto.getRandomValues(new Uint8Array(24)), 1_000 + i), 1_001 + i))

  function fakeCollector(answer: () => Promise<Response> = () => Promise.resolve(new Response('{}', { status: 200 }))) {
    const sent: { url: string; headers: Record<string, string>; body: OtlpTraceRequest }[] = []
    const send = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      sent.push({ url: input as string, headers: init?.headers as Record<string, string>, body: JSON.parse(init?.body as string) as OtlpTraceRequest })
      return answer()
    }) as unknown as typeof fetch
    const pending: Promise<unknown>[] = []
    const waitUntil = vi.fn((p: Promise<unknown>) => {
      pending.push(p)
    })
    const settle = async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0))
    }
    return { sent, send, waitUntil, pending, settle }
  }

  it('sends many spans in one POST to <endpoint>/v1/traces after the flush delay, with the headers and resource', async () => {
    vi.useFakeTimers()
    const c = fakeCollector()
    const exporter = otlpExporter('http://collector.test:4318/', { 'x-api-key': 'k1' }, { 'service.name': 'souk' }, c.send)
    for (const span of finished(300)) exporter.add(span, c.waitUntil)
    expect(c.waitUntil).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(24)
    expect(c.sent).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    await c.settle()
    expect(c.sent).toHaveLength(1)
    expect(c.sent[0]?.url).toBe('http://collector.test:4318/v1/traces')
    expect(c.sent[0]?.headers).toEqual({ 'x-api-key': 'k1', 'content-type': 'application/json' })
    expect(c.sent[0]?.body.resourceSpans[0]?.resource.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'souk' } }])
    expect(spansOf(c.sent[0]!.body).map((s) => s.name)).toEqual(finished(300).map((s) => s.name))
  })

  it('sends at most 512 spans a request, every span once, in order', async () => {
    const c = fakeCollector()
    const exporter = otlpExporter('http://collector.test', {}, {}, c.send)
    const spans = finished(1100)
    for (const span of spans) exporter.add(span, c.waitUntil)
    await c.settle()
    expect(c.sent.map((s) => spansOf(s.body).length)).toEqual([512, 512, 76])
    expect(c.sent.flatMap((s) => spansOf(s.body).map((o) => o.spanId))).toEqual(spans.map((s) => s.spanId))
  })

  it('keeps the newest 4096 spans when more wait than that, dropping the oldest', async () => {
    const c = fakeCollector()
    const exporter = otlpExporter('http://collector.test', {}, {}, c.send)
    const spans = finished(5000)
    for (const span of spans) exporter.add(span, c.waitUntil)
    await c.settle()
    expect(c.sent.flatMap((s) => spansOf(s.body).map((o) => o.spanId))).toEqual(spans.slice(-4096).map((s) => s.spanId))
  })

  it('schedules a new send for spans that end after a send went out', async () => {
    const c = fakeCollector()
    const exporter = otlpExporter('http://collector.test', {}, {}, c.send)
    const [a, b] = finished(2)
    exporter.add(a!, c.waitUntil)
    await c.settle()
    exporter.add(b!, c.waitUntil)
    await c.settle()
    expect(c.sent.map((s) => spansOf(s.body).map((o) => o.name))).toEqual([['s0'], ['s1']])
    expect(c.waitUntil).toHaveBeenCalledTimes(2)
  })

  it.each([
    ['answers 500', () => Promise.resolve(new Response('down', { status: 500 }))],
    ['cannot be reached', () => Promise.reject(new TypeError('connection refused'))],
  ])('neither throws nor stops exporting when the collector %s: one warning, and later spans still go', async (_, answer) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    let failing = true
    const c = fakeCollector(() => (failing ? answer() : Promise.resolve(new Response('{}', { status: 200 }))))
    const exporter = otlpExporter(`http://collector-${crypto.randomUUID()}.test`, {}, {}, c.send)
    const spans = finished(600)
    for (const span of spans.slice(0, 600)) exporter.add(span, c.waitUntil)
    await expect(c.settle()).resolves.toBeUndefined()
    expect(c.sent).toHaveLength(2) // both batches tried: a failed one does not hold back the next
    expect(warn).toHaveBeenCalledTimes(1)
    expect(JSON.parse(String(warn.mock.calls[0]?.[0]))).toMatchObject({ level: 'warn', msg: 'trace_export_failed', spans: 512 })
    failing = false
    exporter.add(finished(1)[0]!, c.waitUntil)
    await c.settle()
    expect(c.sent).toHaveLength(3)
  })

  it('does not hold up the traced work while the collector hangs', async () => {
    const c = collector(() => new Promise<Response>(() => undefined))
    const result = await traceInvocation(c.invocation, { name: 'fast', kind: 'server' }, () => Promise.resolve('done'))
    expect(result).toBe('done')
    expect(c.requests).toHaveLength(0) // the export waits in waitUntil, not in the invocation
    expect(c.pending).toHaveLength(1)
    await vi.waitFor(() => expect(c.requests).toHaveLength(1)) // and it went out (and hangs), after the work
  })

  it('exports the spans of a sampled invocation through the env’s collector, with its headers and environment', async () => {
    const c = collector()
    await traceInvocation(c.invocation, { name: 'root', kind: 'server', traceparent: sampled }, () => withSpan({ name: 'child', kind: 'client' }, () => Promise.resolve()))
    const bodies = await c.bodies()
    expect(c.requests).toHaveLength(1)
    expect(c.requests[0]?.url).toBe(`${c.endpoint}/v1/traces`)
    expect(c.requests[0]?.init?.headers).toMatchObject({ 'x-api-key': 'k 1', 'content-type': 'application/json' })
    expect(bodies[0]?.resourceSpans[0]?.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'souk' } },
      { key: 'deployment.environment', value: { stringValue: 'test' } },
    ])
    const spans = spansOf(bodies[0]!)
    const root = spans.find((s) => s.name === 'root')
    expect(spans.map((s) => s.name).sort()).toEqual(['child', 'root'])
    expect(root).toMatchObject({ traceId: TRACE, parentSpanId: PARENT })
    expect(spans.find((s) => s.name === 'child')).toMatchObject({ traceId: TRACE, parentSpanId: root?.spanId })
  })

  it('exports nothing of an unsampled trace (traceparent flag 00)', async () => {
    const c = collector()
    await traceInvocation(c.invocation, { name: 'root', kind: 'server', traceparent: unsampled }, () => withSpan({ name: 'child', kind: 'client' }, () => Promise.resolve()))
    expect(c.pending).toHaveLength(0)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(await c.exported()).toEqual([])
    expect(c.fetchSpy).not.toHaveBeenCalled()
  })
})

describe('exporterOf', () => {
  it('has no exporter without a collector: no endpoint, an empty one, or one that is not a URL', () => {
    expect(exporterOf({})).toBeNull()
    expect(exporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeNull()
    expect(exporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toBeNull()
  })

  it('shares one exporter between envs naming the same collector and headers, and not otherwise', () => {
    const endpoint = `http://collector-${crypto.randomUUID()}.test`
    const a = exporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })
    expect(a).not.toBeNull()
    expect(exporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })).toBe(a)
    expect(exporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'k=v' })).not.toBe(a)
  })
})
