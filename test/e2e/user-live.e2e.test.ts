import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { baseUrl, email, eventually, http, PASSWORD } from '../support/node/client'

async function user(label: string): Promise<{ token: string; id: string }> {
  const res = await http('/v1/auth/register', { method: 'POST', json: { email: email(label), password: PASSWORD, displayName: label } })
  const body = (await res.json()) as { token: string; user: { id: string } }
  return { token: body.token, id: body.user.id }
}

/** Opens the caller's live channel and collects what it says. */
function connect(query: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: { type: string; data: Record<string, unknown> }[] }> {
  const ws = new WebSocket(`${baseUrl().replace(/^http/, 'ws')}/v1/me/live${query}`, { headers })
  const messages: { type: string; data: Record<string, unknown> }[] = []
  ws.on('message', (raw: Buffer) => messages.push(JSON.parse(raw.toString()) as { type: string; data: Record<string, unknown> }))
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages }))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

describe('GET /v1/me/live over a real WebSocket', () => {
  it('pushes the seller’s notification and the order’s updates as a sale happens', async () => {
    const seller = await user('seller')
    const buyer = await user('buyer')
    const { ws, messages } = await connect('', { authorization: `Bearer ${seller.token}` })
    const listing = (await (await http('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Mug', category: 'kitchen', format: 'fixed_price', price: { amount: 1500, currency: 'USD' }, quantity: 1 } })).json()) as { id: string }
    const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' }
    const order = await http('/v1/checkout', { method: 'POST', token: buyer.token, headers: { 'Idempotency-Key': crypto.randomUUID() }, json: { items: [{ listingId: listing.id, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: address } })
    const { id: orderId } = (await order.json()) as { id: string }
    await eventually(() => Promise.resolve(messages.some((m) => m.type === 'notification' && m.data.type === 'order.sold') && messages.some((m) => m.type === 'order.updated' && m.data.status === 'paid')), Boolean)
    expect(messages.find((m) => m.type === 'order.updated' && m.data.status === 'paid')?.data).toMatchObject({ orderId, seq: 2 })
    ws.close()
  })

  it('lets a browser in with a single-use ticket, once', async () => {
    const me = await user('browser')
    const { ticket } = (await (await http('/v1/me/live-tickets', { method: 'POST', token: me.token })).json()) as { ticket: string }
    const first = await connect(`?ticket=${encodeURIComponent(ticket)}`)
    first.ws.close()
    await expect(connect(`?ticket=${encodeURIComponent(ticket)}`)).rejects.toThrow('HTTP 401')
    await expect(connect('?ticket=usr_00000000000000000000000000.forged')).rejects.toThrow('HTTP 401')
    await expect(connect('')).rejects.toThrow('HTTP 401')
  })
})
