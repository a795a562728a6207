import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { checkoutOrderId } from '../../../src/checkout/checkout-order-id'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import { settingsOf } from '../../../src/config'
import { orderPorts } from '../../../src/orders/order-adapters'
import { personalDataOf } from '../../../src/pii/pii-adapters'
import { call, json, register } from '../support/api'
import { chargeOf, checkout, checkoutBody, eventually, fixedListing, order } from './checkout-fixtures'

/** The saga itself, as a retry would run it once the idempotency record is gone. */
async function portsCheckout(buyerId: string, key: string, listingId: string) {
  return runCheckout(orderPorts(env), {
    buyerId,
    key,
    orderId: await checkoutOrderId(buyerId, key),
    items: [{ listingId, quantity: 1 }],
    paymentMethod: 'pm_card_visa',
    sealAddress: (orderId: string) => personalDataOf(settingsOf(env)).sealAddress(orderId, checkoutBody(listingId).shippingAddress),
    steppedUp: false,
    shippingCountry: null,
    origin: { ip: null, device: null, country: null },
    credentialHash: null,
  })
}

describe('POST /v1/checkout', () => {
  it('pays: 201 paid, one capture, stock sold, ledger in escrow, history pending → paid', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller, { quantity: 3, price: 2500 })
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_card_visa', 2))
    expect(res.status).toBe(201)
    const body = await json<{ id: string; status: string; total: unknown; history: { status: string }[] }>(res)
    expect(body.status).toBe('paid')
    expect(body.total).toEqual({ amount: 5000, currency: 'USD' })
    expect(body.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
    expect(res.headers.get('location')).toBe(`/v1/orders/${body.id}`)
    const charge = await chargeOf(body.id)
    expect(charge).toMatchObject({ status: 'captured', captures: 1, amount: 5000 })
    const view = await listing.stub.view()
    expect(view).toMatchObject({ quantity: 3, available: 1 })
    const escrow = await env.DB.prepare("SELECT sum(amount) AS n FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE t.order_id = ? AND e.account = 'escrow'").bind(body.id).first<{ n: number }>()
    expect(escrow?.n).toBe(5000)
    expect((await order(seller.token, body.id)).status).toBe('paid')
    // Each transition went out on the events queue, in the order's own seq, under a stable id.
    const { results: published } = await env.DB.prepare('SELECT seq, event_id, published_at FROM order_events WHERE order_id = ? ORDER BY seq').bind(body.id).all<{ seq: number; event_id: string; published_at: string | null }>()
    expect(published.map((r) => r.seq)).toEqual([1, 2])
    expect(published.every((r) => /^evt_[0-9a-z]{26}$/.test(r.event_id) && r.published_at !== null)).toBe(true)
  })

  it('declines: 402 payment_declined, the stock back, and no order written (nothing was ever paid)', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const key = crypto.randomUUID()
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_card_chargeDeclinedInsufficientFunds'), key)
    expect(res.status).toBe(402)
    const problem = await json<{ code: string; orderId: string; declineCode: string }>(res)
    expect(problem).toMatchObject({ code: 'payment_declined', declineCode: 'insufficient_funds' })
    expect(problem.orderId).toBe(await checkoutOrderId(buyer.user.id, key))
    expect(await listing.stub.view()).toMatchObject({ quantity: 1, available: 1 })
    expect((await call(`/v1/orders/${problem.orderId}`, { token: buyer.token })).status).toBe(404)
    expect(await chargeOf(problem.orderId)).toMatchObject({ status: 'declined', captures: 0 })
  })

  it('derives the order id from the buyer and the key: a retry after the key is forgotten is the same order, paid once', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller, { quantity: 5 })
    const key = crypto.randomUUID()
    const first = await json<{ id: string }>(await checkout(buyer, checkoutBody(listing.id), key))
    // As if the idempotency record were gone (24 h later): the saga runs again under the same order id.
    const again = await portsCheckout(buyer.user.id, key, listing.id)
    expect(again).toMatchObject({ kind: 'paid', order: { id: first.id, status: 'paid' } })
    expect(await chargeOf(first.id)).toMatchObject({ captures: 1, attempts: 1 })
    expect(await listing.stub.view()).toMatchObject({ available: 4 })
    const other = await json<{ id: string }>(await checkout(buyer, checkoutBody(listing.id), crypto.randomUUID()))
    expect(other.id).not.toBe(first.id)
  })

  it('answers 202 when the gateway times out after charging, and reconciliation pays the order', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'))
    expect(res.status).toBe(202)
    const pending = await json<{ id: string; status: string }>(res)
    expect(pending.status).toBe('pending_payment')
    const paid = await eventually(() => order(buyer.token, pending.id), (o) => o.status === 'paid')
    expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
    expect(await chargeOf(pending.id)).toMatchObject({ status: 'captured', captures: 1 })
    await eventually(() => listing.stub.view(), (v) => v?.available === 0 && v.status === 'sold_out')
  })

  it('refuses a checkout without Idempotency-Key (400) and across sellers (422), changing nothing', async () => {
    const buyer = await register('buyer')
    const a = await fixedListing(await register('seller-a'))
    const b = await fixedListing(await register('seller-b'))
    const noKey = await call('/v1/checkout', { method: 'POST', token: buyer.token, json: checkoutBody(a.id) })
    expect(noKey.status).toBe(400)
    expect((await json(noKey)).code).toBe('idempotency_key_missing')
    const mixed = await checkout(buyer, { ...checkoutBody(a.id), items: [{ listingId: a.id, quantity: 1 }, { listingId: b.id, quantity: 1 }] })
    expect(mixed.status).toBe(422)
    expect((await json(mixed)).code).toBe('multiple_sellers')
    expect((await a.stub.view())?.available).toBe(1)
    const n = await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE buyer_id = ?').bind(buyer.user.id).first<{ n: number }>()
    expect(n?.n).toBe(0)
  })
})
