import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { email, eventually, PASSWORD, httpAt, type HttpInit } from '../support/node/client'
import { readBody } from '../support/node/read-body'

/**
 * One checkout, one trace: a small OTLP/HTTP receiver stands in for the collector, a loopback
 * server for a seller's webhook receiver, and the real worker exports to the one and delivers to
 * the other. The checkout's spans, from the Worker through the objects, the queues and every
 * consumer out to the webhook request, must form a single tree under the client's span.
 */
type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; status: { code: number } }
type OtlpRequest = { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] }

const spans: OtlpSpan[] = []
const resources = new Set<string>()
const webhooks: { headers: IncomingHttpHeaders; body: string }[] = []
const servers: Server[] = []
let souk: { url: string; stop: () => Promise<void> }

async function listen(handler: (path: string, headers: IncomingHttpHeaders, body: string) => number): Promise<string> {
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      res.statusCode = handler(req.url ?? '', req.headers, body)
      res.end()
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  const collector = await listen((path, headers, body) => {
    if (path !== '/v1/traces' || headers['content-type'] !== 'application/json') return 415
    const request = JSON.parse(body) as OtlpRequest
    for (const rs of request.resourceSpans) {
      for (const a of rs.resource.attributes) if (a.key === 'service.name') resources.add(a.value.stringValue ?? '')
      for (const ss of rs.scopeSpans) spans.push(...ss.spans)
    }
    return 200
  })
  const receiver = await listen((_path, headers, body) => {
    webhooks.push({ headers, body })
    return 204
  })
  souk = await startLocalSouk({ LOG_LEVEL: 'error', OTEL_EXPORTER_OTLP_ENDPOINT: collector })
  process.env.TRACES_RECEIVER = receiver
})

afterAll(async () => {
  await souk?.stop()
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
})

const api = (path: string, init?: HttpInit): Promise<Response> => httpAt(souk.url, path, init)

async function token(label: string): Promise<string> {
  const res = await api('/v1/auth/register', { method: 'POST', json: { email: email(label), password: PASSWORD, displayName: label } })
  expect(res.status).toBe(201)
  return ((await res.json()) as { token: string }).token
}

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('')

describe('traces end to end', () => {
  it("a checkout's spans form one tree under the client's span: the Worker, the objects, the queues, every consumer and the webhook request", async () => {
    const seller = await token('seller')
    const buyer = await token('buyer')
    const endpoint = await api('/v1/webhook-endpoints', { method: 'POST', token: seller, json: { url: `${process.env.TRACES_RECEIVER}/hook`, events: ['order.*'] } })
    expect(endpoint.status).toBe(201)
    const listing = (await (await api('/v1/listings', { method: 'POST', token: seller, json: { title: 'Traced mug', category: 'kitchen', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 1 } })).json()) as { id: string }

    // The client's own trace: Souk must continue it, not start another.
    const traceId = hex(16)
    const clientSpan = hex(8)
    const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' }
    const checkout = await api('/v1/checkout', {
      method: 'POST',
      token: buyer,
      headers: { 'Idempotency-Key': crypto.randomUUID(), traceparent: `00-${traceId}-${clientSpan}-01` },
      json: { items: [{ listingId: listing.id, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address },
    })
    expect(checkout.status).toBe(201)
    expect(checkout.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    const { id: orderId } = (await checkout.json()) as { id: string }

    // The receiver is told the trace with the order's paid event.
    const paid = await eventually(
      () => Promise.resolve(webhooks.filter((w) => (JSON.parse(w.body) as { type: string; data: { orderId?: string } }).data.orderId === orderId)),
      (ws) => ws.some((w) => (JSON.parse(w.body) as { type: string }).type === 'order.paid'),
    )
    for (const w of paid) expect(String(w.headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))

    // Spans leave each isolate shortly after they end: wait until every parent has arrived.
    const tree = await eventually(
      () => Promise.resolve(spans.filter((s) => s.traceId === traceId)),
      (ts) => {
        const ids = new Set(ts.map((s) => s.spanId))
        const names = ts.map((s) => s.name)
        return ts.every((s) => s.parentSpanId === clientSpan || ids.has(s.parentSpanId ?? '')) && names.includes('POST webhook') && names.some((n) => n.startsWith('notification'))
      },
      20_000,
    )
    const names = tree.map((s) => s.name)
    const roots = tree.filter((s) => s.parentSpanId === clientSpan)
    // One root: the Worker's server span for the route, under the client's span.
    expect(roots.map((r) => r.name)).toEqual(['POST /v1/checkout'])
    expect(roots[0]?.kind).toBe(2)
    // Every other span hangs from a span of the same trace: no orphans, no second root.
    const ids = new Set(tree.map((s) => s.spanId))
    expect(ids.size).toBe(tree.length)
    expect(tree.filter((s) => s !== roots[0] && !ids.has(s.parentSpanId ?? ''))).toEqual([])
    // It reaches the objects (client span in the Worker, server span in the object)...
    expect(names).toEqual(expect.arrayContaining(['LISTINGS.reserve', 'ACCOUNTS.admitCheckout']))
    expect(names.some((n) => n.startsWith('ListingObject.'))).toBe(true)
    expect(names.some((n) => n.startsWith('AccountObject.'))).toBe(true)
    // ...D1, the queues (producer spans), the consumers, and out to the receiver and the notifier.
    expect(tree.some((s) => s.name.startsWith('d1 ') && s.kind === 3)).toBe(true)
    expect(tree.some((s) => s.kind === 4)).toBe(true)
    expect(tree.filter((s) => s.kind === 5).map((s) => s.name)).toEqual(expect.arrayContaining(['webhook delivery']))
    expect(names).toContain('POST webhook')
    // The listing's own event left its outbox later, from the object's alarm, yet its consumers
    // continue the checkout's trace from the object's span that committed it.
    const listingSpans = new Set(tree.filter((s) => s.name.startsWith('ListingObject.')).map((s) => s.spanId))
    expect(tree.some((s) => s.name === 'consume projection' && listingSpans.has(s.parentSpanId ?? ''))).toBe(true)
    expect(resources).toEqual(new Set(['souk']))
    // A span of the webhook request is the parent the receiver was given.
    const webhookSpans = new Set(tree.filter((s) => s.name === 'POST webhook').map((s) => s.spanId))
    for (const w of paid) expect(webhookSpans.has(String(w.headers.traceparent).split('-')[2] ?? '')).toBe(true)
  })
})
