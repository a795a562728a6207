import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { deliverNotice } from '../../../src/notifications/notification-consumer'
import { checkout, checkoutBody, eventually, fixedListing } from '../checkout/checkout-fixtures'
import { createAuction } from '../listings/fixtures'
import { call, json, register, type Registered } from '../support/api'
import { subscribePush, verifyPhone } from '../support/contact-points'
import { deliverEvent, orderEvent } from '../support/events'

type Inbox = { data: { id: string; type: string; title: string; data: Record<string, unknown>; readAt: string | null }[] }
const inboxOf = async (u: Registered) => json<Inbox>(await call('/v1/me/notifications', { token: u.token }))
type Outbox = { data: { channel: string; subject: string; recipient: string; notificationId: string }[] }
/** What notices sent the person (not the SMS that verified their phone). */
const outboxOf = async (u: Registered): Promise<Outbox> => {
  const all = await json<Outbox>(await call('/v1/dev/outbox', { token: u.token }))
  return { data: all.data.filter((m) => !m.notificationId.startsWith('vrf_')) }
}

const auction = async (seller: Registered) => (await createAuction({}, 3_600_000, seller.user.id)).stub

describe('notifications from events', () => {
  it('tells an outbid bidder once per few minutes, in the inbox and by e-mail, without naming the new leader', async () => {
    const seller = await register('seller')
    const alice = await register('alice')
    const bob = await register('bob')
    const phone = await verifyPhone(alice)
    const browser = await subscribePush(alice)
    const stub = await auction(seller)
    await stub.placeBid({ bidderId: alice.user.id, maxAmount: { amount: 1500, currency: 'USD' } })
    await stub.placeBid({ bidderId: bob.user.id, maxAmount: { amount: 2000, currency: 'USD' } })
    const first = await eventually(() => inboxOf(alice), (i) => i.data.some((n) => n.type === 'bid.outbid'))
    const outbid = first.data.find((n) => n.type === 'bid.outbid')
    expect(JSON.stringify(outbid)).not.toContain(bob.user.id)
    // A bidding war: Alice comes back and is outbid twice more within the window.
    await stub.placeBid({ bidderId: alice.user.id, maxAmount: { amount: 2500, currency: 'USD' } })
    await stub.placeBid({ bidderId: bob.user.id, maxAmount: { amount: 3000, currency: 'USD' } })
    await stub.placeBid({ bidderId: alice.user.id, maxAmount: { amount: 3500, currency: 'USD' } })
    await stub.placeBid({ bidderId: bob.user.id, maxAmount: { amount: 4000, currency: 'USD' } })
    await eventually(() => inboxOf(bob), (i) => i.data.filter((n) => n.type === 'bid.outbid').length >= 1)
    await new Promise((r) => setTimeout(r, 500))
    expect((await inboxOf(alice)).data.filter((n) => n.type === 'bid.outbid')).toHaveLength(1)
    // Every channel is on unless turned off: one message each, once, in the development outbox.
    const sent = await eventually(() => outboxOf(alice), (o) => o.data.length >= 3)
    expect(sent.data.map((m) => m.channel).sort()).toEqual(['email', 'push', 'sms'])
    expect(sent.data.find((m) => m.channel === 'email')).toMatchObject({ recipient: alice.user.email, subject: outbid?.title })
    expect(sent.data.find((m) => m.channel === 'sms')).toMatchObject({ recipient: phone })
    expect(sent.data.find((m) => m.channel === 'push')).toMatchObject({ recipient: browser.endpoint, subject: outbid?.title })

    const read = await call(`/v1/me/notifications/${outbid?.id}/read`, { method: 'POST', token: alice.token })
    expect((await json<{ readAt: string | null }>(read)).readAt).not.toBeNull()
    expect((await call(`/v1/me/notifications/${outbid?.id}/read`, { method: 'POST', token: bob.token })).status).toBe(404)
  })

  it('records one outbid when many consumers race on the same bidding war', async () => {
    const alice = await register('alice')
    const notice = { userId: alice.user.id, type: 'bid.outbid', category: 'activity' as const, title: 'Outbid', body: 'You were outbid', data: {}, throttleKey: 'bid.outbid:lst_race' }
    const now = new Date()
    await Promise.all(Array.from({ length: 40 }, (_, i) => deliverNotice(env, { id: `evt_race_${i}`, at: now }, notice, now)))
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM notifications WHERE user_id = ?').bind(alice.user.id).first<{ n: number }>()
    expect(rows?.n).toBe(1)
  })

  it('decides a throttled outbid the same way when its event comes again after the window (law 5)', async () => {
    const alice = await register('alice')
    const outbid = { userId: alice.user.id, type: 'bid.outbid', category: 'activity' as const, title: 'Outbid', body: 'You were outbid', data: {}, throttleKey: `bid.outbid:lst_${crypto.randomUUID()}` }
    const count = async () => (await env.DB.prepare('SELECT count(*) AS n FROM notifications WHERE user_id = ?').bind(alice.user.id).first<{ n: number }>())?.n
    const t0 = new Date()
    const first = { id: `evt_${crypto.randomUUID()}`, at: t0 }
    const second = { id: `evt_${crypto.randomUUID()}`, at: new Date(t0.getTime() + 60_000) }
    await deliverNotice(env, first, outbid, t0)
    await deliverNotice(env, second, outbid, second.at) // a minute later: throttled
    expect(await count()).toBe(1)
    // Ten minutes on, the queue redelivers the second bid (a retry after a failure elsewhere): still throttled.
    await deliverNotice(env, second, outbid, new Date(t0.getTime() + 10 * 60_000))
    expect(await count()).toBe(1)
    // The earlier event handled last (out of order) is silenced by the later one just the same.
    await deliverNotice(env, { id: `evt_${crypto.randomUUID()}`, at: new Date(t0.getTime() - 30_000) }, outbid, new Date(t0.getTime() + 11 * 60_000))
    expect(await count()).toBe(1)
    // A bid six minutes after the first is news again.
    await deliverNotice(env, { id: `evt_${crypto.randomUUID()}`, at: new Date(t0.getTime() + 6 * 60_000) }, outbid, new Date(t0.getTime() + 12 * 60_000))
    expect(await count()).toBe(2)
  })

  it('notifies once when the same event is delivered twice, on the channels each person can be reached on', async () => {
    const buyer = await register('buyer')
    const seller = await register('seller')
    await verifyPhone(buyer)
    await subscribePush(buyer)
    const event = orderEvent(buyer.user.id, seller.user.id, 'cancelled', 3)
    for (const tag of ['first', 'again']) expect(await deliverEvent(event, tag, 'notifications')).toEqual([tag])
    expect((await inboxOf(buyer)).data.filter((n) => n.type === 'order.cancelled')).toHaveLength(1)
    const channelsOf = async (u: Registered) =>
      (await env.DB.prepare('SELECT channel FROM notification_dispatches WHERE user_id = ? ORDER BY channel').bind(u.user.id).all<{ channel: string }>()).results.map((r) => r.channel)
    expect(await channelsOf(buyer)).toEqual(['email', 'push', 'sms']) // each once
    // The seller has no phone and no browser subscribed: e-mail only, and nothing planned that could never go out.
    expect(await channelsOf(seller)).toEqual(['email'])
  })

  it('follows preferences: channels off, quiet hours that delay activity but not payment notices', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    await subscribePush(seller)
    // Quiet all day in Tokyo (a window of 23 h 59 min that contains now), e-mail off for sales.
    const put = await call('/v1/me/notification-preferences', {
      method: 'PUT',
      token: seller.token,
      json: { events: { 'order.sold': { email: false }, 'offer.received': { in_app: false } }, quietHours: { start: '00:00', end: '23:59', timeZone: 'Asia/Tokyo' } },
    })
    expect(put.status).toBe(200)
    const bad = await call('/v1/me/notification-preferences', { method: 'PUT', token: seller.token, json: { quietHours: { start: '25:00', end: '07:00', timeZone: 'Mars/Olympus' } } })
    expect(bad.status).toBe(400)
    expect((await json<{ code: string }>(await call('/v1/me/notification-preferences', { token: seller.token }))).code).toBeUndefined()

    const listing = await fixedListing(seller, { acceptsOffers: true, price: 5000 })
    expect((await call(`/v1/listings/${listing.id}/offers`, { method: 'POST', token: buyer.token, json: { amount: { amount: 4000, currency: 'USD' } } })).status).toBe(201)
    expect((await checkout(buyer, checkoutBody((await fixedListing(seller)).id))).status).toBe(201)
    const sold = await eventually(() => inboxOf(seller), (i) => i.data.some((n) => n.type === 'order.sold'))
    // offer.received is kept out of the inbox (in_app off) but still planned for e-mail, after quiet hours.
    expect(sold.data.some((n) => n.type === 'offer.received')).toBe(false)
    const plans = await env.DB.prepare(
      'SELECT n.type, d.channel, d.due_at FROM notification_dispatches d JOIN notifications n ON n.id = d.notification_id WHERE d.user_id = ? ORDER BY n.type, d.channel',
    )
      .bind(seller.user.id)
      .all<{ type: string; channel: string; due_at: string }>()
    const offerEmail = plans.results.find((p) => p.type === 'offer.received' && p.channel === 'email')
    expect(Date.parse(offerEmail?.due_at ?? '')).toBeGreaterThan(Date.now() + 60_000)
    expect(plans.results.some((p) => p.type === 'order.sold' && p.channel === 'email')).toBe(false)
    const soldPush = plans.results.find((p) => p.type === 'order.sold' && p.channel === 'push')
    expect(Date.parse(soldPush?.due_at ?? '')).toBeLessThanOrEqual(Date.now())
  })
})

describe('digests', () => {
  it('collapses a person’s activity notices into one message per channel when the digest is due', async () => {
    const seller = await register('seller')
    expect((await call('/v1/me/notification-preferences', { method: 'PUT', token: seller.token, json: { digest: 'hourly', events: {} } })).status).toBe(200)
    for (let i = 0; i < 3; i++) {
      const buyer = await register(`buyer${i}`)
      const listing = await fixedListing(seller, { acceptsOffers: true, price: 5000 })
      expect((await call(`/v1/listings/${listing.id}/offers`, { method: 'POST', token: buyer.token, json: { amount: { amount: 4000 + i, currency: 'USD' } } })).status).toBe(201)
    }
    const planned = await eventually(
      async () => (await env.DB.prepare("SELECT due_at, digest FROM notification_dispatches WHERE user_id = ? AND channel = 'email'").bind(seller.user.id).all<{ due_at: string; digest: number }>()).results,
      (rows) => rows.length === 3,
    )
    // Each waits for the next top of the hour, and nothing has gone out yet.
    expect(planned.every((r) => r.digest === 1 && Date.parse(r.due_at) > Date.now() && new Date(r.due_at).getUTCMinutes() === 0)).toBe(true)
    expect((await outboxOf(seller)).data).toEqual([])

    // The hour comes (moved forward here): one digest job sends all three as one e-mail.
    const past = new Date(Date.now() - 1000).toISOString()
    await env.DB.prepare('UPDATE notification_dispatches SET due_at = ? WHERE user_id = ?').bind(past, seller.user.id).run()
    const job = { kind: 'digest', userId: seller.user.id, channel: 'email', notificationId: null, dueAt: past }
    const batch = createMessageBatch('souk-notifications', [
      { id: 'd1', timestamp: new Date(), attempts: 1, body: job },
      { id: 'd2', timestamp: new Date(), attempts: 1, body: job }, // the other two digest jobs of the hour
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    await getQueueResult(batch, ctx)
    const emails = (await outboxOf(seller)).data.filter((m) => m.channel === 'email')
    expect(emails).toHaveLength(1)
    expect(emails[0]?.subject).toBe('3 updates from Souk')
  })
})
