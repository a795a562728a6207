import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { eventually } from '../checkout/checkout-fixtures'
import { call, json, register, type Registered } from '../support/api'
import { subscribePush, verifyPhone } from '../support/contact-points'
import { deliverEvent, orderEvent } from '../support/events'

type Export = {
  phone: { phone: string | null; verifiedAt: string | null; pendingPhone: string | null } | null
  pushSubscriptions: { id: string; endpoint: string; createdAt: string }[]
  notifications: { preferences: Record<string, unknown> | null; inbox: { type: string }[]; sends: { channel: string; address: string; outcome: string }[] }
}
type Held = { phones: number; browsers: number; sends: string[]; inbox: number; dispatches: number; preferences: number }

/** What D1 holds of where notices reach the person: their phone row, browsers, and the channels of the log of sends. */
async function heldFor(u: Registered): Promise<Held> {
  const count = async (table: 'phone_numbers' | 'push_subscriptions' | 'notifications' | 'notification_dispatches' | 'notification_preferences') =>
    (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).bind(u.user.id).first<{ n: number }>())?.n ?? -1
  const sends = await env.DB.prepare('SELECT channel FROM notification_sends WHERE user_id = ? ORDER BY channel').bind(u.user.id).all<{ channel: string }>()
  return {
    phones: await count('phone_numbers'),
    browsers: await count('push_subscriptions'),
    sends: sends.results.map((r) => r.channel),
    inbox: await count('notifications'),
    dispatches: await count('notification_dispatches'),
    preferences: await count('notification_preferences'),
  }
}

describe('personal data: notifications, phone and browsers', () => {
  it('exports the verified phone, a number waiting for its code, and the subscribed browsers', async () => {
    const u = await register('contact-export')
    const other = await register('contact-export-other')
    expect(await json<Export>(await call('/v1/me/export', { token: u.token }))).toMatchObject({ phone: null, pushSubscriptions: [] })

    const phone = await verifyPhone(u)
    const laptop = await subscribePush(u)
    const desktop = await subscribePush(u)
    await verifyPhone(other)
    await subscribePush(other)

    const res = await call('/v1/me/export', { token: u.token })
    expect(res.status).toBe(200)
    const text = await res.text()
    const exported = JSON.parse(text) as Export
    expect(exported.phone).toEqual({ phone, verifiedAt: expect.any(String), pendingPhone: null })
    expect(exported.pushSubscriptions).toHaveLength(2)
    expect(exported.pushSubscriptions).toEqual(
      expect.arrayContaining([
        { id: laptop.id, endpoint: laptop.endpoint, createdAt: expect.any(String) },
        { id: desktop.id, endpoint: desktop.endpoint, createdAt: expect.any(String) },
      ]),
    )
    // A number typed but not yet verified is theirs too.
    await env.DB.prepare('UPDATE phone_numbers SET code_sent_at = ? WHERE user_id = ?').bind(new Date(Date.now() - 61_000).toISOString(), u.user.id).run()
    expect((await call('/v1/me/phone', { method: 'PUT', token: u.token, json: { phone: '+44 7700 900123' } })).status).toBe(202)
    const withPending = await json<Export>(await call('/v1/me/export', { token: u.token }))
    expect(withPending.phone).toEqual({ phone, verifiedAt: exported.phone?.verifiedAt, pendingPhone: '+447700900123' })
    // The code's hash is a secret of Souk's, not personal data.
    const { code_hash: codeHash } = (await env.DB.prepare('SELECT code_hash FROM phone_numbers WHERE user_id = ?').bind(u.user.id).first<{ code_hash: string }>())!
    expect(JSON.stringify(withPending)).not.toContain(codeHash)
  })

  it('erases the inbox, preferences, phone, browsers and the log of what was sent where, and only the erased person’s', async () => {
    const buyer = await register('contact-erase')
    const seller = await register('contact-keep')
    for (const u of [buyer, seller]) {
      await verifyPhone(u)
      await subscribePush(u)
      expect((await call('/v1/me/notification-preferences', { method: 'PUT', token: u.token, json: { events: { 'bid.outbid': { sms: false } } } })).status).toBe(200)
    }
    // A payment notice to both goes out on every channel and is logged per address.
    const delivered = await deliverEvent(orderEvent(buyer.user.id, seller.user.id, 'cancelled', 3), `contact-erase-${crypto.randomUUID()}`, 'notifications')
    expect(delivered).toHaveLength(1)
    const everyChannel = (h: Held) => ['email', 'push', 'sms'].every((c) => h.sends.includes(c))
    const buyerHeld = await eventually(() => heldFor(buyer), everyChannel)
    const sellerHeld = await eventually(() => heldFor(seller), everyChannel)
    expect(buyerHeld).toMatchObject({ phones: 1, browsers: 1, inbox: 1, dispatches: 3, preferences: 1 })
    expect(sellerHeld).toMatchObject({ phones: 1, browsers: 1, inbox: 1, dispatches: 3, preferences: 1 })
    const exported = await json<Export>(await call('/v1/me/export', { token: buyer.token }))
    expect(exported.notifications.preferences).toEqual({ events: { 'bid.outbid': { sms: false } } })
    expect(exported.notifications.inbox.map((n) => n.type)).toEqual(['order.cancelled'])
    expect(exported.notifications.sends.map((x) => x.channel).sort()).toEqual(['email', 'push', 'sms'])

    expect((await call('/v1/me', { method: 'DELETE', token: buyer.token })).status).toBe(204)

    expect(await heldFor(buyer)).toEqual({ phones: 0, browsers: 0, sends: [], inbox: 0, dispatches: 0, preferences: 0 })
    expect(await heldFor(seller)).toEqual(sellerHeld)
  }, 20_000) // the notices go through the real notifications queue; eventually() gives them 15 s
})
