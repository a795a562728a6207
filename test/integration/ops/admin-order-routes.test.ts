import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { settingsOf } from '../../../src/config'
import { signPayload } from '../../../src/webhooks/signed-payload'
import { call, json, makeStaff, register, type Registered } from '../support/api'
import { chargeOf, checkout, checkoutBody, eventually, fixedListing, order } from '../checkout/checkout-fixtures'

/**
 * The runbook's steps as staff routes: the disputes list, orders stuck waiting for payment and
 * their reconciliation, and refunds the provider refused (retried, or settled by hand). Each
 * change is audited; support and strangers are refused; nothing here needs SQL any more.
 */

async function staff(role: 'admin' | 'support' = 'admin'): Promise<Registered> {
  const who = await register(`ops-${role}`)
  await makeStaff(who.user.id, role)
  return who
}

const post = (token: string, path: string, body?: unknown) => call(path, { method: 'POST', token, json: body })

async function paid(price = 2500) {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller, { price })
  const res = await checkout(buyer, checkoutBody(listing.id))
  expect(res.status).toBe(201)
  return { seller, buyer, listing, id: (await json<{ id: string }>(res)).id }
}

async function delivered() {
  const o = await paid()
  const tracking = `UPS-${o.id.slice(-12)}`
  await post(o.seller.token, `/v1/orders/${o.id}/ship`, { carrier: 'ups', trackingNumber: tracking })
  const body = JSON.stringify({ id: `evt-${o.id}`, trackingNumber: tracking, status: 'delivered', occurredAt: new Date().toISOString() })
  const signature = await signPayload(settingsOf(env).carrierWebhookSecret, body, Math.floor(Date.now() / 1000))
  await call('/v1/webhooks/carriers/ups', { method: 'POST', headers: { 'content-type': 'application/json', 'carrier-signature': signature }, body })
  expect((await order(o.buyer.token, o.id)).status).toBe('delivered')
  return o
}

const audited = async (action: string, subjectId: string) => (await auditLogStub(env).list({ limit: 10, action, subjectId })).length

describe('GET /v1/admin/disputes', () => {
  it('lists open disputes, then the same one resolved with its outcome; support may read it, a buyer may not', async () => {
    const admin = await staff()
    const support = await staff('support')
    const o = await delivered()
    expect((await post(o.buyer.token, `/v1/orders/${o.id}/disputes`, { reason: 'Arrived broken' })).status).toBe(200)
    const open = await json<{ data: { orderId: string; reason: string; outcome: string | null; orderStatus: string; total: { amount: number } }[] }>(await call('/v1/admin/disputes?status=open&limit=100', { token: support.token }))
    expect(open.data.find((d) => d.orderId === o.id)).toMatchObject({ reason: 'Arrived broken', outcome: null, orderStatus: 'disputed', total: { amount: 2500 } })
    expect((await post(admin.token, `/v1/admin/disputes/${o.id}/resolve`, { outcome: 'refund' })).status).toBe(200)
    const stillOpen = await json<{ data: { orderId: string }[] }>(await call('/v1/admin/disputes?status=open&limit=100', { token: admin.token }))
    expect(stillOpen.data.map((d) => d.orderId)).not.toContain(o.id)
    const resolved = await json<{ data: { orderId: string; outcome: string; resolvedAt: string }[] }>(await call('/v1/admin/disputes?status=resolved&limit=100', { token: admin.token }))
    expect(resolved.data.find((d) => d.orderId === o.id)).toMatchObject({ outcome: 'refund', resolvedAt: expect.any(String) })
    expect((await call('/v1/admin/disputes', { token: o.buyer.token })).status).toBe(403)
    for (const bad of ['status=closed', 'limit=0', 'cursor=%21%21']) expect((await call(`/v1/admin/disputes?${bad}`, { token: admin.token })).status, bad).toBe(400)
  })
})

describe('orders stuck waiting for payment', () => {
  it('lists an order past its due time and reconciles it on request: the provider’s charge pays it; audited; admins only', async () => {
    const admin = await staff()
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    // The charge goes through but its answer is lost: the order waits, pending.
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'))
    expect(res.status).toBe(202)
    const id = (await json<{ id: string }>(res)).id
    // Its reconciliation lost (as a dead-lettered job would leave it): due an hour ago.
    await env.DB.prepare('UPDATE orders SET payment_due_at = ? WHERE id = ?').bind(new Date(Date.now() - 3_600_000).toISOString(), id).run()
    const overdue = await json<{ data: { id: string }[] }>(await call('/v1/admin/orders/overdue', { token: admin.token }))
    expect(overdue.data.map((o) => o.id)).toContain(id)

    const support = await staff('support')
    expect((await post(support.token, `/v1/admin/orders/${id}/reconcile`)).status).toBe(403)
    expect((await post(admin.token, '/v1/admin/orders/ord_01m88jqa3nf9ty2gs0k5w3yncb/reconcile')).status).toBe(404)
    const queued = await post(admin.token, `/v1/admin/orders/${id}/reconcile`)
    expect(queued.status).toBe(202)
    expect(await audited('order.reconcile_requested', id)).toBe(1)
    const done = await eventually(() => order(buyer.token, id), (o) => o.status === 'paid' || o.status === 'cancelled')
    // The sandbox had taken the money: the reconciliation finds it and the order is paid, charged once.
    expect(done.status).toBe('paid')
    expect(await chargeOf(id)).toMatchObject({ captures: 1 })
  })
})

describe('refunds the provider refused', () => {
  /** A paid order whose refund became due an hour ago and is still due (as after `refund_refused`). */
  async function stuckRefund() {
    const o = await paid()
    await env.DB.prepare("UPDATE payments SET status = 'refund_pending', updated_at = ? WHERE order_id = ?").bind(new Date(Date.now() - 2 * 3_600_000).toISOString(), o.id).run()
    return o
  }

  it('lists them, and a retry sends the refund again: refunded at the provider once, then nothing is due', async () => {
    const admin = await staff()
    const o = await stuckRefund()
    const pending = await json<{ data: { orderId: string; captured: boolean; amount: { amount: number } }[] }>(await call('/v1/admin/refunds/pending', { token: admin.token }))
    expect(pending.data.find((r) => r.orderId === o.id)).toMatchObject({ captured: true, amount: { amount: 2500 } })
    const retried = await post(admin.token, `/v1/admin/orders/${o.id}/refund/retry`)
    expect(retried.status).toBe(200)
    expect(await json(retried)).toEqual({ orderId: o.id, paymentStatus: 'refunded' })
    expect(await chargeOf(o.id)).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(await audited('refund.retried_by_staff', o.id)).toBe(1)
    const again = await post(admin.token, `/v1/admin/orders/${o.id}/refund/retry`)
    expect(again.status).toBe(409)
    expect(await chargeOf(o.id)).toMatchObject({ refunds: 1 })
  })

  it('records a refund given back by hand: refunded, nothing sent to the provider, audited with the payment', async () => {
    const admin = await staff()
    const o = await stuckRefund()
    const settled = await post(admin.token, `/v1/admin/orders/${o.id}/refund/settled`)
    expect(settled.status).toBe(200)
    expect(await json(settled)).toEqual({ orderId: o.id, paymentStatus: 'refunded' })
    expect(await chargeOf(o.id)).toMatchObject({ status: 'captured', refunds: 0 })
    const [entry] = await auditLogStub(env).list({ limit: 5, action: 'refund.settled_by_staff', subjectId: o.id })
    expect(entry).toMatchObject({ actorId: admin.user.id, details: { amount: 2500, currency: 'USD' } })
    expect((await post(admin.token, `/v1/admin/orders/${o.id}/refund/settled`)).status).toBe(409)
    // A paid order with no refund due is not settled by mistake.
    const fine = await paid()
    expect((await post(admin.token, `/v1/admin/orders/${fine.id}/refund/settled`)).status).toBe(409)
    expect((await call('/v1/admin/refunds/pending', { token: o.buyer.token })).status).toBe(403)
  })
})

describe('GET /v1/admin/checkouts/{orderId}', () => {
  it('says what became of a checkout: paid with its payment; declined with nothing written; admins only', async () => {
    const admin = await staff()
    const o = await paid()
    const fate = await json(await call(`/v1/admin/checkouts/${o.id}`, { token: admin.token }))
    expect(fate).toEqual({ orderId: o.id, order: { status: 'paid', total: { amount: 2500, currency: 'USD' } }, abandoned: null, payment: { status: 'captured', captured: true, amount: { amount: 2500, currency: 'USD' }, providerRef: expect.any(String) } })

    const buyer = await register('buyer')
    const declined = await checkout(buyer, checkoutBody((await fixedListing(o.seller)).id, 'pm_card_chargeDeclined'))
    expect(declined.status).toBe(402)
    const { orderId } = await json<{ orderId: string }>(declined)
    expect(await json(await call(`/v1/admin/checkouts/${orderId}`, { token: admin.token }))).toEqual({ orderId, order: null, abandoned: null, payment: null })

    const support = await staff('support')
    expect((await call(`/v1/admin/checkouts/${o.id}`, { token: support.token })).status).toBe(403)
    expect((await call('/v1/admin/checkouts/nope', { token: admin.token })).status).toBe(400)
  })
})

describe('GET /v1/admin/users/{id}/notification-sends', () => {
  it('shows support what became of a person’s sends, newest first, without their addresses, and records the read', async () => {
    const support = await staff('support')
    const ada = await register('ada')
    const at = (s: number) => new Date(Date.now() - s * 1000).toISOString()
    await env.DB.batch([
      env.DB.prepare("INSERT INTO notification_sends (notification_id, channel, address, user_id, outcome, provider_ref, detail, at) VALUES ('ntf_a', 'email', 'hash-of-address', ?, 'sent', 'resend-1', NULL, ?)").bind(ada.user.id, at(60)),
      env.DB.prepare("INSERT INTO notification_sends (notification_id, channel, address, user_id, outcome, provider_ref, detail, at) VALUES ('ntf_b', 'sms', 'hash-of-number', ?, 'refused', NULL, 'unreachable [address]', ?)").bind(ada.user.id, at(5)),
    ])
    const res = await call(`/v1/admin/users/${ada.user.id}/notification-sends`, { token: support.token })
    expect(res.status).toBe(200)
    const { data } = await json<{ data: Record<string, unknown>[] }>(res)
    expect(data.map((d) => [d.notificationId, d.channel, d.outcome])).toEqual([
      ['ntf_b', 'sms', 'refused'],
      ['ntf_a', 'email', 'sent'],
    ])
    for (const d of data) expect(d).not.toHaveProperty('address')
    expect(await audited('personal_data.read', ada.user.id)).toBe(1)
    expect((await call(`/v1/admin/users/${ada.user.id}/notification-sends`, { token: ada.token })).status).toBe(403)
  })
})
