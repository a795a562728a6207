import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { codeAt } from '../../../src/accounts/totp'
import { settingsOf } from '../../../src/config'
import { signPayload } from '../../../src/webhooks/signed-payload'
import { call as apiCall, json, makeStaff, register, type Registered } from '../support/api'
import { call, form, page, sameOrigin } from '../support/pages'
import { decodeEntities, draw, flashAfter, orderStatus, submit } from '../support/site-forms'

/**
 * /me through the real worker (web/site/me-routes.tsx): orders as a buyer with what can be done to
 * each, the inbox, polls waiting for an answer, notification settings, two-step login, and the live
 * ticket its script asks for; each form acts once, through the API, and only with the session's
 * CSRF token.
 */

const ADDRESS = { name: 'Ada Buyer', line1: '1 Market St', city: 'Springfield', postalCode: '12345', country: 'US' }

async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (check(v)) return v
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function fixedListing(seller: Registered, title = 'Hand-thrown mug'): Promise<string> {
  const res = await apiCall('/v1/listings', { method: 'POST', token: seller.token, json: { title, category: 'kitchen', format: 'fixed_price', price: { amount: 2500, currency: 'USD' }, quantity: 5 } })
  expect(res.status).toBe(201)
  return (await json<{ id: string }>(res)).id
}

async function checkout(buyer: Registered, listingId: string, paymentMethod = 'pm_card_visa'): Promise<{ status: number; id: string }> {
  const res = await apiCall('/v1/checkout', {
    method: 'POST',
    token: buyer.token,
    headers: { 'idempotency-key': crypto.randomUUID() },
    json: { items: [{ listingId, quantity: 1 }], paymentMethod, shippingAddress: ADDRESS },
  })
  return { status: res.status, id: (await json<{ id: string }>(res)).id }
}

/** A paid order, shipped with a UPS number and delivered by the carrier's signed webhook. */
async function deliveredOrder(seller: Registered, buyer: Registered, listingId: string): Promise<string> {
  const { id } = await checkout(buyer, listingId)
  const tracking = `UPS-${id.slice(-12)}`
  expect((await apiCall(`/v1/orders/${id}/ship`, { method: 'POST', token: seller.token, json: { carrier: 'ups', trackingNumber: tracking } })).status).toBe(200)
  const body = JSON.stringify({ id: `evt-${id}`, trackingNumber: tracking, status: 'delivered', occurredAt: new Date().toISOString() })
  const signature = await signPayload(settingsOf(env).carrierWebhookSecret, body, Math.floor(Date.now() / 1000))
  expect((await apiCall('/v1/webhooks/carriers/ups', { method: 'POST', headers: { 'content-type': 'application/json', 'carrier-signature': signature }, body })).status).toBeLessThan(300)
  await until(() => orderStatus(buyer.token, id), (s) => s === 'delivered')
  return id
}

const preferences = async (u: Registered) => json(await apiCall('/v1/me/notification-preferences', { token: u.token }))

describe('/me', () => {
  it('sends a visitor without a session to the login form, coming back to /me', async () => {
    const res = await call('/me')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fme')
  })

  it('shows the buyer’s orders with their history, the inbox, the settings and the live script', async () => {
    const seller = await register('me-seller')
    const buyer = await register('me-buyer')
    const { id } = await checkout(buyer, await fixedListing(seller, 'Teapot'))
    await until(async () => (await json<{ data: unknown[] }>(await apiCall('/v1/me/notifications', { token: buyer.token }))).data.length, (n) => n > 0)
    const { html } = await draw('/me', buyer.token)
    expect(html).toContain('href="/me" aria-current="page"')
    expect(html).toContain('<script src="/site/me-live.js" defer=""></script>')
    const row = new RegExp(`<tr id="${id}">(.*?)</tr>`, 's').exec(html)?.[1] ?? ''
    expect(row).toContain('$25.00')
    expect(row).toContain('data-status="paid"')
    expect(row).toMatch(/<ol class="history"><li>pending payment <time[^>]*>[^<]*<\/time><\/li><li>paid <time/)
    expect(row).not.toContain('<form') // nothing a buyer can do to a paid order
    expect(html).toMatch(/<ul id="notifications"[^>]*><li id="ntf_[0-9a-z]{26}" class="unread"/)
    expect(html).toContain('<form id="live-ticket" method="post" action="/me/live-ticket" hidden="">')
    expect(html).toMatch(/<input type="checkbox" name="ch:order\.shipped:email"[^>]*checked/)
    expect(html).toContain('No questions waiting for you.')
  })

  it('accepts a delivered order, disputes another with a reason, cancels an unpaid one', async () => {
    const seller = await register('me-orders-seller')
    const buyer = await register('me-orders-buyer')
    const listingId = await fixedListing(seller)
    const [accepted, disputed] = [await deliveredOrder(seller, buyer, listingId), await deliveredOrder(seller, buyer, listingId)]
    const unpaid = await checkout(buyer, listingId, 'pm_sandbox_timeout')
    expect(unpaid.status).toBe(202)
    const drawn = await draw('/me', buyer.token)
    expect(drawn.html).toContain(`action="/me/orders/${accepted}/accept"`)
    expect(drawn.html).toContain(`action="/me/orders/${unpaid.id}/cancel"`)

    expect(await flashAfter(await submit(`/me/orders/${unpaid.id}/cancel`, buyer.token, drawn), buyer.token)).toBe(`ok: Order ${unpaid.id} is cancelled.`)
    expect(await orderStatus(buyer.token, unpaid.id)).toBe('cancelled')
    expect(await flashAfter(await submit(`/me/orders/${accepted}/accept`, buyer.token, drawn), buyer.token)).toBe(`ok: Order ${accepted} is completed.`)
    expect(await orderStatus(buyer.token, accepted)).toBe('completed')
    expect(await flashAfter(await submit(`/me/orders/${disputed}/dispute`, buyer.token, drawn, { reason: 'The handle came off' }), buyer.token)).toBe(`ok: Order ${disputed} is disputed.`)
    expect(await orderStatus(buyer.token, disputed)).toBe('disputed')
    // Accepting a disputed order is the API's refusal, shown in its words.
    expect(await flashAfter(await submit(`/me/orders/${disputed}/accept`, buyer.token, await draw('/me', buyer.token)), buyer.token)).toMatch(/^error: .*disputed/)
    expect(await orderStatus(buyer.token, disputed)).toBe('disputed')
    // A completed order can be reviewed, once.
    const after = await draw('/me', buyer.token)
    expect(after.html).toContain(`action="/me/orders/${accepted}/review"`)
    expect(await flashAfter(await submit(`/me/orders/${accepted}/review`, buyer.token, after, { rating: '5', comment: 'Lovely' }), buyer.token)).toMatch(/^ok: /)
    const reviews = await json<{ data: { rating: number }[] }>(await apiCall(`/v1/users/${seller.user.id}/reviews`))
    expect(reviews.data.map((r) => r.rating)).toEqual([5])
  })

  it('refuses an order action without the CSRF token or from another origin, and the order stays as it was', async () => {
    const seller = await register('me-csrf-seller')
    const buyer = await register('me-csrf-buyer')
    const id = await deliveredOrder(seller, buyer, await fixedListing(seller))
    const drawn = await draw('/me', buyer.token)
    expect((await submit(`/me/orders/${id}/accept`, buyer.token, { ...drawn, csrf: '' })).status).toBe(403)
    expect((await submit(`/me/orders/${id}/accept`, buyer.token, drawn, {}, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await submit('/me/settings', buyer.token, { ...drawn, csrf: 'a'.repeat(64) }, { digest: 'daily' })).status).toBe(403)
    expect((await submit('/me/live-ticket', buyer.token, { ...drawn, csrf: '' })).status).toBe(403)
    expect(await orderStatus(buyer.token, id)).toBe('delivered')
    expect(await preferences(buyer)).toEqual({ events: {} })
  })

  it('saves notification settings: channels, quiet hours, digest; a bad time zone is the API’s refusal and saves nothing', async () => {
    const buyer = await register('me-settings')
    const drawn = await draw('/me', buyer.token)
    const allOn = Object.fromEntries([...drawn.html.matchAll(/<input type="checkbox" name="(ch:[a-z_.]+:[a-z_]+)"/g)].map((m) => [m[1]!, 'on']))
    expect(Object.keys(allOn).length).toBeGreaterThan(40)
    const { 'ch:bid.outbid:email': _a, 'ch:order.shipped:sms': _b, ...fields } = allOn
    const bad = await submit('/me/settings', buyer.token, drawn, { ...fields, quietStart: '22:00', quietEnd: '07:00', quietTimeZone: 'Mars/Olympus', digest: 'daily' })
    expect(await flashAfter(bad, buyer.token)).toMatch(/^error: .*time zone/i)
    expect(await preferences(buyer)).toEqual({ events: {} })

    const ok = await submit('/me/settings', buyer.token, drawn, { ...fields, quietStart: '22:00', quietEnd: '07:00', quietTimeZone: 'Europe/Paris', digest: 'daily' })
    expect(await flashAfter(ok, buyer.token)).toBe('ok: Settings saved.')
    expect(await preferences(buyer)).toEqual({ events: { 'bid.outbid': { email: false }, 'order.shipped': { sms: false } }, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' }, digest: 'daily' })
    const again = (await draw('/me', buyer.token)).html
    expect(again).toMatch(/<input type="checkbox" name="ch:bid\.outbid:email" aria-label="[^"]*"\/?>/)
    expect(again).toContain('name="quietTimeZone" value="Europe/Paris"')
    expect(again).toMatch(/<option value="daily" selected/)
  })

  it('marks a notification read', async () => {
    const seller = await register('me-read-seller')
    const buyer = await register('me-read-buyer')
    await checkout(buyer, await fixedListing(seller))
    const [first] = (await until(async () => (await json<{ data: { id: string; readAt: string | null }[] }>(await apiCall('/v1/me/notifications', { token: buyer.token }))).data, (d) => d.length > 0))
    expect(await flashAfter(await submit(`/me/notifications/${first!.id}/read`, buyer.token, await draw('/me', buyer.token)), buyer.token)).toBe('ok: Marked read.')
    const [read] = (await json<{ data: { readAt: string | null }[] }>(await apiCall('/v1/me/notifications', { token: buyer.token }))).data
    expect(read!.readAt).not.toBeNull()
  })

  it('shows a poll waiting for an answer and sends the answer, once', async () => {
    const admin = await register('me-poll-admin')
    await makeStaff(admin.user.id, 'admin')
    const created = await apiCall('/v1/admin/polls', { method: 'POST', token: admin.token, json: { question: 'How was buying from {subject}?', trigger: 'order.completed', audience: 'buyer' } })
    expect(created.status).toBe(201)
    const seller = await register('poll-seller')
    const buyer = await register('me-poll-buyer')
    const id = await deliveredOrder(seller, buyer, await fixedListing(seller))
    expect((await apiCall(`/v1/orders/${id}/accept`, { method: 'POST', token: buyer.token })).status).toBe(200)
    const [waiting] = await until(async () => (await json<{ data: { pollId: string; deliveryId: string }[] }>(await apiCall('/v1/me/polls', { token: buyer.token }))).data, (d) => d.length > 0)
    const drawn = await draw('/me', buyer.token)
    expect(decodeEntities(drawn.html)).toMatch(new RegExp(`<li id="${waiting!.deliveryId}" class="poll"><form method="post" action="/me/polls/${waiting!.pollId}/answer"`))
    expect(drawn.html).toContain('How was buying from poll-seller?')

    expect(await flashAfter(await submit(`/me/polls/${waiting!.pollId}/answer`, buyer.token, drawn, { score: '11', deliveryId: waiting!.deliveryId }), buyer.token)).toMatch(/^error: Score/)
    expect(await flashAfter(await submit(`/me/polls/${waiting!.pollId}/answer`, buyer.token, drawn, { score: '9', comment: 'Quick', deliveryId: waiting!.deliveryId }), buyer.token)).toBe('ok: Thank you for your answer.')
    expect((await json<{ data: unknown[] }>(await apiCall('/v1/me/polls', { token: buyer.token }))).data).toEqual([])
    expect((await draw('/me', buyer.token)).html).toContain('No questions waiting for you.')
    const ratings = await json<{ feedback: { average: number; count: number } }>(await apiCall('/v1/me/ratings', { token: seller.token }))
    expect(ratings.feedback).toEqual({ average: 9, count: 1 })
    expect((await draw('/sell', seller.token)).html).toContain('Buyers&#39; feedback: 9.0 of 10 from 1 buyer.')
  })

  it('hands its script a single-use live ticket that opens the person’s live channel', async () => {
    const buyer = await register('me-live')
    const drawn = await draw('/me', buyer.token)
    const f = form({ csrf: drawn.csrf })
    const res = await page('/me/live-ticket', buyer.token, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(res.status).toBe(201)
    const { url } = await json<{ url: string }>(res)
    expect(url).toMatch(new RegExp(`^/v1/me/live\\?ticket=${buyer.user.id}\\.`))
    const open = await apiCall(url, { headers: { upgrade: 'websocket' } })
    expect(open.status).toBe(101)
    open.webSocket?.accept()
    open.webSocket?.close()
    expect((await apiCall(url, { headers: { upgrade: 'websocket' } })).status).toBe(401) // single use
  })

  it('turns two-step login on with a first code, showing the recovery codes once, and off with a current code', async () => {
    const who = await register('me-totp')
    const started = await submit('/me/totp', who.token, await draw('/me', who.token))
    expect(started.status).toBe(200)
    const enrol = await started.text()
    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(enrol)?.[1]
    expect(secret).toBeDefined()
    const nonce = /name="nonce" value="([A-Za-z0-9_-]+)"/.exec(enrol)![1]!
    const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(enrol)![1]!
    const wrong = await submit('/me/totp/verify', who.token, { csrf, nonce }, { code: '000000' })
    expect(await flashAfter(wrong, who.token)).toMatch(/^error: /)
    const verified = await submit('/me/totp/verify', who.token, { csrf, nonce: `${nonce}x` }, { code: codeAt(secret!, Date.now()) })
    expect(verified.status).toBe(200)
    expect([...(await verified.text()).matchAll(/<li><code>[^<]+<\/code><\/li>/g)]).toHaveLength(10)
    const login = await apiCall('/v1/auth/login', { method: 'POST', json: { email: who.user.email, password: 'correct horse battery staple' } })
    expect(login.status).toBe(401)

    const off = await submit('/me/totp/disable', who.token, await draw('/me', who.token), { code: codeAt(secret!, Date.now() + 30_000) })
    expect(await flashAfter(off, who.token)).toBe('ok: Two-step login is off.')
    expect((await apiCall('/v1/auth/login', { method: 'POST', json: { email: who.user.email, password: 'correct horse battery staple' } })).status).toBe(200)
  })
})
