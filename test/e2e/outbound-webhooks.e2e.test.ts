import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { email, eventually, http, PASSWORD } from '../support/node/client'

/** A receiver on loopback that answers each webhook-id from a script, and keeps what it got. */
type Received = { headers: IncomingHttpHeaders; body: string }
let server: Server
let receiverUrl = ''
const received: Received[] = []
let script: (id: string, nth: number) => number = () => 204

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      const id = String(req.headers['webhook-id'])
      res.statusCode = script(id, received.filter((r) => r.headers['webhook-id'] === id).length)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function user(label: string): Promise<string> {
  const res = await http('/v1/auth/register', { method: 'POST', json: { email: email(label), password: PASSWORD, displayName: label } })
  return ((await res.json()) as { token: string }).token
}

/** The seller's endpoint for order events, and a paid order that sends it two (created, paid). */
async function sale(path: string) {
  const seller = await user('seller')
  const buyer = await user('buyer')
  const endpoint = (await (await http('/v1/webhook-endpoints', { method: 'POST', token: seller, json: { url: `${receiverUrl}${path}`, events: ['order.*'] } })).json()) as { id: string; secret: string }
  const listing = (await (await http('/v1/listings', { method: 'POST', token: seller, json: { title: 'Mug', category: 'kitchen', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 1 } })).json()) as { id: string }
  const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' }
  const order = await http('/v1/checkout', { method: 'POST', token: buyer, headers: { 'Idempotency-Key': crypto.randomUUID() }, json: { items: [{ listingId: listing.id, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address } })
  expect(order.status).toBe(201)
  const { id: orderId } = (await order.json()) as { id: string }
  return { seller, endpoint, orderId }
}

describe('outbound webhooks over real HTTP', () => {
  it('retries a receiver that answers 500 twice: delivered once in effect, three attempts logged, one webhook-id, signatures that standardwebhooks verifies', async () => {
    script = (_id, nth) => (nth <= 2 ? 500 : 204)
    const { seller, endpoint, orderId } = await sale('/flaky')
    const forOrder = (r: Received) => (JSON.parse(r.body) as { data: { orderId?: string } }).data.orderId === orderId
    const paid = await eventually(
      () => Promise.resolve(received.filter((r) => forOrder(r) && (JSON.parse(r.body) as { type: string }).type === 'order.paid')),
      (rs) => rs.length >= 3,
    )
    expect(new Set(paid.map((r) => r.headers['webhook-id'])).size).toBe(1)
    const verifier = new Webhook(endpoint.secret)
    for (const r of paid) {
      const payload = verifier.verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as { type: string; data: Record<string, unknown> }
      expect(payload).toMatchObject({ type: 'order.paid', data: { orderId, status: 'paid', seq: 2, aggregateId: orderId } })
      expect(JSON.stringify(payload)).not.toContain('Springfield')
    }
    const log = await eventually(
      async () => ((await (await http(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: seller })).json()) as { data: { type: string; status: string; attempts: { statusCode: number | null }[] }[] }).data,
      (d) => d.some((x) => x.type === 'order.paid' && x.status === 'delivered'),
    )
    expect(log.find((x) => x.type === 'order.paid')?.attempts.map((a) => a.statusCode)).toEqual([500, 500, 204])
  })

  it('disables an endpoint whose receiver answers 410', async () => {
    script = () => 410
    const { seller, endpoint } = await sale('/gone')
    const after = await eventually(
      async () => (await (await http(`/v1/webhook-endpoints/${endpoint.id}`, { token: seller })).json()) as { status: string; disabledReason: string | null },
      (e) => e.status === 'disabled',
    )
    expect(after.disabledReason).toMatch(/410/)
    // Its owner is told, in the inbox (and by e-mail: here, the development outbox).
    const inbox = await eventually(
      async () => ((await (await http('/v1/me/notifications', { token: seller })).json()) as { data: { type: string; data: { endpointId?: string } }[] }).data,
      (d) => d.some((n) => n.type === 'webhook.disabled'),
    )
    expect(inbox.filter((n) => n.type === 'webhook.disabled').map((n) => n.data.endpointId)).toEqual([endpoint.id])
  })

  it('refuses endpoints outside what this environment allows, and hides others’ endpoints', async () => {
    const owner = await user('owner')
    const private10 = await http('/v1/webhook-endpoints', { method: 'POST', token: owner, json: { url: 'http://10.0.0.8/hook', events: ['*'] } })
    expect(private10.status).toBe(422)
    expect(((await private10.json()) as { code: string }).code).toBe('invalid_webhook_url')
    const mine = (await (await http('/v1/webhook-endpoints', { method: 'POST', token: owner, json: { url: `${receiverUrl}/x`, events: ['*'] } })).json()) as { id: string; secret: string }
    expect(mine.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    const stranger = await user('stranger')
    expect((await http(`/v1/webhook-endpoints/${mine.id}`, { token: stranger })).status).toBe(404)
    expect((await http(`/v1/webhook-endpoints/${mine.id}`, { method: 'DELETE', token: stranger })).status).toBe(404)
    expect((await http(`/v1/webhook-endpoints/${mine.id}`, { method: 'DELETE', token: owner })).status).toBe(204)
    expect((await http(`/v1/webhook-endpoints/${mine.id}`, { token: owner })).status).toBe(404)
  })
})
