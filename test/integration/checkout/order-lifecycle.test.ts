import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { settingsOf } from '../../../src/config'
import { signPayload } from '../../../src/webhooks/signed-payload'
import { call, json, makeStaff, register, type Registered } from '../support/api'
import { verifySeller } from '../support/kyc'
import { ADDRESS, chargeOf, checkout, checkoutBody, eventually, fixedListing, order } from './checkout-fixtures'

async function paidOrder(quantity = 1, price = 2500) {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller, { quantity: 5, price })
  const res = await checkout(buyer, checkoutBody(listing.id, 'pm_card_visa', quantity))
  expect(res.status).toBe(201)
  const { id } = await json<{ id: string }>(res)
  return { seller, buyer, listing, id }
}

const post = (token: string, path: string, body?: unknown) => call(path, { method: 'POST', token, ...(body === undefined ? {} : { json: body }) })

async function carrierEvent(carrier: string, event: { id: string; trackingNumber: string; status: string; occurredAt?: string }, secret = settingsOf(env).carrierWebhookSecret) {
  const body = JSON.stringify({ occurredAt: new Date().toISOString(), ...event })
  const signature = await signPayload(secret, body, Math.floor(Date.now() / 1000))
  return call(`/v1/webhooks/carriers/${carrier}`, { method: 'POST', headers: { 'content-type': 'application/json', 'carrier-signature': signature }, body })
}

const balance = async (u: Registered) => json<{ available: { amount: number }[]; pending: { amount: number }[] }>(await call('/v1/me/balance', { token: u.token }))

describe('the buyer’s shipping address', () => {
  type Viewed = { id: string; status: string; shippingAddress?: unknown }
  const sellersList = async (seller: Registered) => (await json<{ data: Viewed[] }>(await call('/v1/orders?role=seller', { token: seller.token }))).data

  it('is shown to the seller only while the order is theirs to ship, never on an unpaid or cancelled one; the buyer always sees it', async () => {
    const { seller, buyer, id } = await paidOrder()
    expect((await order(seller.token, id)).shippingAddress).toEqual(ADDRESS)
    expect((await json<Viewed>(await post(seller.token, `/v1/orders/${id}/cancel`))).shippingAddress).toBeUndefined()
    expect((await order(seller.token, id)).shippingAddress).toBeUndefined()
    expect((await sellersList(seller)).find((o) => o.id === id)).toMatchObject({ status: 'cancelled' })
    expect((await sellersList(seller)).find((o) => o.id === id)).not.toHaveProperty('shippingAddress')
    expect((await order(buyer.token, id)).shippingAddress).toEqual(ADDRESS)

    // An order whose payment is still unknown is not the seller's to ship either.
    const listing = await fixedListing(seller, { quantity: 2 })
    const unknown = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'))
    expect(unknown.status).toBe(202)
    const pending = await json<Viewed>(unknown)
    expect((await order(seller.token, pending.id)).status).toBe('pending_payment')
    expect((await order(seller.token, pending.id)).shippingAddress).toBeUndefined()
    expect((await order(buyer.token, pending.id)).shippingAddress).toEqual(ADDRESS)
  })
})

describe('an order from payment to the seller’s payout', () => {
  it('ships with the sandbox carrier, is delivered by it, accepted, reviewed once each, and paid out', async () => {
    const { seller, buyer, id } = await paidOrder(1, 10_000)
    expect((await balance(seller)).pending).toEqual([{ amount: 9000, currency: 'USD' }])

    const shipped = await post(seller.token, `/v1/orders/${id}/ship`, { carrier: 'sandbox', trackingNumber: `SBX-${id.slice(-10)}` })
    expect(shipped.status).toBe(200)
    expect((await json(shipped)).status).toBe('shipped')
    const delivered = await eventually(() => order(buyer.token, id), (o) => o.status === 'delivered')
    expect(delivered.history.map((h) => h.status)).toEqual(['pending_payment', 'paid', 'shipped', 'in_transit', 'delivered'])

    expect((await post(buyer.token, `/v1/orders/${id}/reviews`, { rating: 5 })).status).toBe(409)
    const accepted = await post(buyer.token, `/v1/orders/${id}/accept`)
    expect(accepted.status).toBe(200)
    expect((await json(accepted)).status).toBe('completed')
    expect(await balance(seller)).toEqual({ available: [{ amount: 9000, currency: 'USD' }], pending: [{ amount: 0, currency: 'USD' }] })

    expect((await post(buyer.token, `/v1/orders/${id}/reviews`, { rating: 5, comment: 'Lovely mug' })).status).toBe(201)
    expect((await post(seller.token, `/v1/orders/${id}/reviews`, { rating: 4 })).status).toBe(201)
    const again = await post(buyer.token, `/v1/orders/${id}/reviews`, { rating: 1 })
    expect(again.status).toBe(409)
    expect((await json(again)).code).toBe('already_reviewed')

    // Payouts need a verified seller: the sandbox identity provider verifies them.
    await verifySeller(seller)
    const payout = (amount: number, key: string) => call('/v1/me/payouts', { method: 'POST', token: seller.token, json: { amount: { amount, currency: 'USD' } }, headers: { 'Idempotency-Key': key } })
    expect((await payout(9001, 'too-much')).status).toBe(409)
    const results = await Promise.all([payout(6000, 'a'), payout(6000, 'b')])
    // Two payouts of 6,000 cannot both come out of 9,000.
    expect(results.map((r) => r.status).sort()).toEqual([201, 409])
    const winner = results[0]?.status === 201 ? 'a' : 'b'
    const replay = await payout(6000, winner)
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect((await balance(seller)).available).toEqual([{ amount: 3000, currency: 'USD' }])
    // The payout's job transfers it: paid, and the balance stays spent.
    await eventually(async () => json<{ data: { status: string }[] }>(await call('/v1/me/payouts', { token: seller.token })), (p) => p.data.length === 1 && p.data[0]?.status === 'paid')
    expect((await balance(seller)).available).toEqual([{ amount: 3000, currency: 'USD' }])
  }, 20_000) // two carrier steps of CARRIER_STEP_SECONDS (2 s) each, plus the checkout

  it('cancels a paid order at the seller’s word: refunded at the provider, in the ledger, and the stock is back', async () => {
    const { seller, buyer, listing, id } = await paidOrder(2)
    expect((await listing.stub.view())?.available).toBe(3)
    expect((await post(buyer.token, `/v1/orders/${id}/cancel`)).status).toBe(409)
    const cancelled = await post(seller.token, `/v1/orders/${id}/cancel`)
    expect(cancelled.status).toBe(200)
    expect((await json(cancelled)).status).toBe('cancelled')
    expect(await chargeOf(id)).toMatchObject({ status: 'refunded', captures: 1, refunds: 1 })
    expect((await listing.stub.view())?.available).toBe(5)
    const payment = await env.DB.prepare('SELECT status FROM payments WHERE order_id = ?').bind(id).first<{ status: string }>()
    expect(payment?.status).toBe('refunded')
    expect((await balance(seller)).pending).toEqual([])
    const twice = await post(seller.token, `/v1/orders/${id}/cancel`)
    expect(twice.status).toBe(409)
    expect(await json(twice)).toMatchObject({ code: 'invalid_transition', currentStatus: 'cancelled' })
  })

  it('takes carrier events once, in any order, and only with a valid signature', async () => {
    const { seller, buyer, id } = await paidOrder()
    const tracking = `UPS-${id.slice(-12)}`
    expect((await post(seller.token, `/v1/orders/${id}/ship`, { carrier: 'ups', trackingNumber: tracking })).status).toBe(200)
    const forged = await carrierEvent('ups', { id: 'e0', trackingNumber: tracking, status: 'delivered' }, 'not-the-carrier-secret-at-all')
    expect(forged.status).toBe(401)
    expect((await json(forged)).code).toBe('invalid_signature')
    expect((await order(buyer.token, id)).status).toBe('shipped')

    const delivered = { id: 'evt-delivered', trackingNumber: tracking, status: 'delivered' }
    const first = await carrierEvent('ups', delivered)
    // Signed webhooks are not held to a per-IP quota (carriers send bursts from few addresses).
    expect(first.headers.get('ratelimit')).toBeNull()
    expect(await json(first)).toEqual({ received: true, duplicate: false })
    expect(await json(await carrierEvent('ups', delivered))).toEqual({ received: true, duplicate: true })
    // The in-transit scan arrives late: nothing moves backwards.
    expect((await carrierEvent('ups', { id: 'evt-transit', trackingNumber: tracking, status: 'in_transit' })).status).toBe(200)
    const final = await order(buyer.token, id)
    expect(final.status).toBe('delivered')
    expect(final.history.map((h) => h.status)).toEqual(['pending_payment', 'paid', 'shipped', 'delivered'])
    expect((await carrierEvent('ups', { id: 'evt-x', trackingNumber: 'UNKNOWN-1', status: 'delivered' })).status).toBe(404)

    // The same tracking number cannot name a second order's shipment.
    const second = await paidOrder()
    const taken = await post(second.seller.token, `/v1/orders/${second.id}/ship`, { carrier: 'ups', trackingNumber: tracking })
    expect(taken.status).toBe(409)
    expect((await json(taken)).code).toBe('tracking_number_taken')
    expect((await order(second.buyer.token, second.id)).status).toBe('paid')
  })

  it('lets the buyer dispute a delivered order and staff refund it', async () => {
    const { seller, buyer, id } = await paidOrder()
    const tracking = `DHL-${id.slice(-12)}`
    await post(seller.token, `/v1/orders/${id}/ship`, { carrier: 'dhl', trackingNumber: tracking })
    expect((await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'Arrived broken' })).status).toBe(409)
    await carrierEvent('dhl', { id: 'd1', trackingNumber: tracking, status: 'delivered' })
    const disputed = await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'Arrived broken' })
    expect((await json(disputed)).status).toBe('disputed')
    expect((await post(buyer.token, `/v1/orders/${id}/accept`)).status).toBe(409)

    const staff = await register('support')
    await makeStaff(staff.user.id, 'support')
    expect((await post(seller.token, `/v1/admin/disputes/${id}/resolve`, { outcome: 'release' })).status).toBe(403)
    const refunded = await post(staff.token, `/v1/admin/disputes/${id}/resolve`, { outcome: 'refund' })
    expect((await json(refunded)).status).toBe('refunded')
    expect(await chargeOf(id)).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(await balance(seller)).toEqual({ available: [], pending: [] })
  })
})

describe('a shipped order that never arrives', () => {
  /** Moves the order's `shipped` row back in time, as if the parcel had been on its way that long. */
  const shippedDaysAgo = (orderId: string, days: number) =>
    env.DB.prepare("UPDATE order_events SET at = ? WHERE order_id = ? AND status = 'shipped'").bind(new Date(Date.now() - days * 86_400_000).toISOString(), orderId).run()

  it('lets the buyer report it not received once the delivery window has passed, and staff refund it', async () => {
    const { seller, buyer, id } = await paidOrder()
    // A tracking number no carrier will ever report on: nothing else moves the order from here.
    expect((await post(seller.token, `/v1/orders/${id}/ship`, { carrier: 'ups', trackingNumber: `FAKE-${id.slice(-12)}` })).status).toBe(200)

    const early = await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'not_received' })
    expect(early.status).toBe(409)
    const problem = await json<{ code: string; opensAt: string }>(early)
    expect(problem.code).toBe('delivery_window_open')
    expect(Date.parse(problem.opensAt) - Date.now()).toBeGreaterThan(13 * 86_400_000)
    // Any other reason still waits for delivery.
    expect((await json(await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'Arrived broken' }))).code).toBe('invalid_transition')

    await shippedDaysAgo(id, 15)
    expect((await post(seller.token, `/v1/orders/${id}/disputes`, { reason: 'not_received' })).status).toBe(403)
    const reported = await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'not_received' })
    expect(reported.status).toBe(200)
    expect((await json(reported)).status).toBe('disputed')
    expect((await json(await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'not_received' }))).code).toBe('invalid_transition')

    const staff = await register('support')
    await makeStaff(staff.user.id, 'support')
    expect((await json(await post(staff.token, `/v1/admin/disputes/${id}/resolve`, { outcome: 'refund' }))).status).toBe('refunded')
    expect(await chargeOf(id)).toMatchObject({ status: 'refunded', refunds: 1 })
  })

  it('is refused on an order that was never shipped', async () => {
    const { buyer, id } = await paidOrder()
    const res = await post(buyer.token, `/v1/orders/${id}/disputes`, { reason: 'not_received' })
    expect(res.status).toBe(409)
    expect(await json(res)).toMatchObject({ code: 'invalid_transition', currentStatus: 'paid' })
  })
})

describe('who may see and change an order', () => {
  it('shows it to its buyer, its seller and staff; to anyone else it does not exist', async () => {
    const { seller, buyer, id } = await paidOrder()
    const stranger = await register('stranger')
    const staff = await register('admin')
    await makeStaff(staff.user.id, 'admin')
    for (const u of [buyer, seller, staff]) expect((await call(`/v1/orders/${id}`, { token: u.token })).status).toBe(200)
    expect((await call(`/v1/orders/${id}`, { token: stranger.token })).status).toBe(404)
    expect((await call(`/v1/orders/${id}`)).status).toBe(401)
    for (const action of ['cancel', 'accept']) expect((await post(stranger.token, `/v1/orders/${id}/${action}`)).status).toBe(404)
    expect((await post(stranger.token, `/v1/orders/${id}/ship`, { carrier: 'ups', trackingNumber: 'ABCD1234' })).status).toBe(404)
    expect((await post(buyer.token, `/v1/orders/${id}/ship`, { carrier: 'ups', trackingNumber: 'ABCD1234' })).status).toBe(403)
    expect((await order(seller.token, id)).status).toBe('paid')

    const mine = await json<{ data: { id: string }[] }>(await call('/v1/orders?role=buyer', { token: buyer.token }))
    expect(mine.data.map((o) => o.id)).toEqual([id])
    const sold = await json<{ data: { id: string }[] }>(await call('/v1/orders?role=seller&status=paid', { token: seller.token }))
    expect(sold.data.map((o) => o.id)).toEqual([id])
    expect((await json<{ data: unknown[] }>(await call('/v1/orders?role=buyer', { token: stranger.token }))).data).toEqual([])
    expect((await call('/v1/admin/ledger/verify', { token: buyer.token })).status).toBe(403)
    const verified = await json<{ ok: boolean }>(await call('/v1/admin/ledger/verify', { token: staff.token }))
    expect(verified.ok).toBe(true)
  })

  it('keeps an API key to its scopes', async () => {
    const { buyer, id } = await paidOrder()
    const created = await call('/v1/api-keys', { method: 'POST', token: buyer.token, json: { name: 'reader', scopes: ['account:read'] } })
    const { key } = await json<{ key: string }>(created)
    expect((await call(`/v1/orders/${id}`, { token: key })).status).toBe(403)
    expect((await checkout({ ...buyer, token: key }, checkoutBody('lst_00000000000000000000000000'))).status).toBe(403)
  })
})
