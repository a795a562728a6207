import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { settingsOf } from '../../../src/config'
import worker from '../../../src/index'
import { orderEventEnvelope } from '../../../src/orders/order-event'
import type { OrderStatus } from '../../../src/orders/order-machine'
import { signPayload } from '../../../src/webhooks/signed-payload'
import { checkout, checkoutBody, eventually, fixedListing } from '../checkout/checkout-fixtures'
import { BASE, call, json, makeStaff, register, type Registered } from '../support/api'
import { deliverEvent } from '../support/events'

/**
 * Feedback polls end to end inside workerd: staff define one, an order's transition puts it to its
 * audience at once (a `poll` frame on the live channel, an inbox notice), once however often the
 * event comes; answers once per delivery; results; the seller's rating from buyers' answers.
 */

type Poll = { id: string; question: string; trigger: string; audience: string; active: boolean; createdBy: string }
type Waiting = { data: { pollId: string; deliveryId: string; question: string; subject: { id: string; displayName: string }; orderId: string }[]; nextCursor: string | null }
type Frame = { type: string; data: Record<string, unknown>; at: number }

const post = (token: string, path: string, body?: unknown) => call(path, { method: 'POST', token, ...(body === undefined ? {} : { json: body }) })

async function staff(): Promise<Registered> {
  const who = await register('poll-staff')
  await makeStaff(who.user.id, 'support')
  return who
}

async function createPoll(by: Registered, body: { question: string; trigger: string; audience: string }): Promise<Poll> {
  const res = await post(by.token, '/v1/admin/polls', body)
  expect(res.status).toBe(201)
  return json<Poll>(res)
}

async function paidOrder(seller: Registered, buyer: Registered): Promise<string> {
  const listing = await fixedListing(seller, { quantity: 5, price: 2500 })
  const res = await checkout(buyer, checkoutBody(listing.id))
  expect(res.status).toBe(201)
  return (await json<{ id: string }>(res)).id
}

async function carrierDelivered(tracking: string) {
  const body = JSON.stringify({ occurredAt: new Date().toISOString(), id: `evt-${tracking}`, trackingNumber: tracking, status: 'delivered' })
  const signature = await signPayload(settingsOf(env).carrierWebhookSecret, body, Math.floor(Date.now() / 1000))
  const res = await call('/v1/webhooks/carriers/ups', { method: 'POST', headers: { 'content-type': 'application/json', 'carrier-signature': signature }, body })
  expect(res.status).toBe(200)
}

/** Pays, ships and delivers an order (the carrier's webhook), ready for the buyer to accept. */
async function deliveredOrder(seller: Registered, buyer: Registered): Promise<string> {
  const id = await paidOrder(seller, buyer)
  const tracking = `1Z${crypto.randomUUID().replaceAll('-', '').slice(0, 14).toUpperCase()}`
  expect((await post(seller.token, `/v1/orders/${id}/ship`, { carrier: 'ups', trackingNumber: tracking })).status).toBe(200)
  await carrierDelivered(tracking)
  await eventually(async () => json<{ status: string }>(await call(`/v1/orders/${id}`, { token: buyer.token })), (o) => o.status === 'delivered')
  return id
}

/** The caller's live channel, recording every frame with the time it came. */
async function openLive(who: Registered): Promise<{ frames: Frame[]; close: () => void }> {
  const res = await worker.fetch(new Request(`${BASE}/v1/me/live`, { headers: { upgrade: 'websocket', authorization: `Bearer ${who.token}` } }), env, createExecutionContext())
  const ws = res.webSocket
  if (!ws) throw new Error(`no socket: ${res.status}`)
  ws.accept()
  const frames: Frame[] = []
  ws.addEventListener('message', (e) => {
    const parsed = JSON.parse(String(e.data)) as { type: string; data: Record<string, unknown> }
    frames.push({ ...parsed, at: Date.now() })
  })
  return { frames, close: () => ws.close(1000) }
}

const waiting = async (who: Registered) => json<Waiting>(await call('/v1/me/polls', { token: who.token }))
const count = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())?.n ?? 0
const inboxPolls = async (who: Registered) =>
  (await json<{ data: { type: string; title: string; data: Record<string, unknown> }[] }>(await call('/v1/me/notifications', { token: who.token }))).data.filter((n) => n.type === 'poll')

/** The event an order's history row was published as (its id fixed when the row was written). */
async function publishedEvent(orderId: string, status: OrderStatus) {
  const row = await env.DB.prepare('SELECT e.event_id, e.seq, e.at, o.buyer_id, o.seller_id, o.currency, o.total FROM order_events e JOIN orders o ON o.id = e.order_id WHERE e.order_id = ? AND e.status = ?')
    .bind(orderId, status)
    .first<{ event_id: string; seq: number; at: string; buyer_id: string; seller_id: string; currency: 'USD'; total: number }>()
  if (!row) throw new Error(`no ${status} row for ${orderId}`)
  return orderEventEnvelope({
    eventId: row.event_id,
    orderId,
    seq: row.seq,
    status,
    action: 'accept',
    actor: row.buyer_id,
    reason: null,
    at: row.at,
    buyerId: row.buyer_id,
    sellerId: row.seller_id,
    currency: row.currency,
    total: row.total,
    items: [{ listingId: 'lst_x', quantity: 1, unitPrice: row.total }],
  })
}

describe('feedback polls', () => {
  it('puts a poll to the buyer at once when the order completes, once however often the event comes; one answer per delivery; results and the seller’s rating', async () => {
    const admin = await staff()
    const seller = await register('Ana')
    const buyer = await register('Ben')
    const poll = await createPoll(admin, { question: 'How was buying from {subject}?', trigger: 'order.completed', audience: 'buyer' })
    expect(poll).toMatchObject({ trigger: 'order.completed', audience: 'buyer', active: true, createdBy: admin.user.id })
    const orderId = await deliveredOrder(seller, buyer)
    expect((await waiting(buyer)).data.filter((w) => w.pollId === poll.id)).toEqual([]) // not before its trigger

    const live = await openLive(buyer)
    const acceptedAt = Date.now()
    expect((await post(buyer.token, `/v1/orders/${orderId}/accept`)).status).toBe(200)
    const answeredAt = Date.now()
    const isOurs = (f: Frame) => f.type === 'poll' && f.data.pollId === poll.id
    const isCompleted = (f: Frame) => f.type === 'order.updated' && f.data.orderId === orderId && f.data.status === 'completed'
    await eventually(() => Promise.resolve(live.frames), (frames) => frames.some(isOurs) && frames.some(isCompleted), 5_000)
    const frame = live.frames.find(isOurs)!
    const completed = live.frames.find(isCompleted)!
    // At once: as soon as the order's own update reaches the socket (both ride their queue the moment the transition is published).
    console.log(`accept answered in ${answeredAt - acceptedAt} ms; poll frame ${frame.at - answeredAt} ms after it, order.updated ${completed.at - answeredAt} ms after it`)
    expect(frame.at - acceptedAt).toBeLessThan(1_500)
    expect(Math.abs(frame.at - completed.at)).toBeLessThan(500)
    expect(frame.data).toMatchObject({ pollId: poll.id, orderId, question: 'How was buying from Ana?', subject: { id: seller.user.id, displayName: 'Ana' } })
    // The inbox notice went out on the same channel, and is in the inbox.
    expect(live.frames.some((f) => f.type === 'notification' && f.data.type === 'poll')).toBe(true)
    const [notice] = await inboxPolls(buyer)
    expect(notice).toMatchObject({ title: 'How was buying from Ana?', data: { pollId: poll.id, deliveryId: frame.data.deliveryId, orderId } })

    // The same event delivered twice more (a retry, a replay): still one delivery, one notice, no second frame.
    const event = await publishedEvent(orderId, 'completed')
    for (const tag of ['again', 'and-again']) expect(await deliverEvent(event, tag, 'polls')).toEqual([tag])
    await new Promise((r) => setTimeout(r, 200))
    expect(await count('SELECT count(*) AS n FROM poll_deliveries WHERE poll_id = ? AND order_id = ?', poll.id, orderId)).toBe(1)
    expect(await inboxPolls(buyer)).toHaveLength(1)
    expect(live.frames.filter(isOurs)).toHaveLength(1)
    live.close()

    // Only the buyer is asked; they see it waiting, with the seller named.
    expect((await waiting(seller)).data.filter((w) => w.pollId === poll.id)).toEqual([])
    const [asked] = (await waiting(buyer)).data.filter((w) => w.pollId === poll.id)
    expect(asked).toEqual({ pollId: poll.id, deliveryId: frame.data.deliveryId, question: 'How was buying from Ana?', subject: { id: seller.user.id, displayName: 'Ana' }, orderId, deliveredAt: expect.any(String) })

    expect((await post(seller.token, `/v1/polls/${poll.id}/answers`, { score: 0 })).status).toBe(404) // never put to the seller
    const answered = await post(buyer.token, `/v1/polls/${poll.id}/answers`, { score: 9, comment: 'Well packed' })
    expect(answered.status).toBe(201)
    expect(await json(answered)).toMatchObject({ pollId: poll.id, deliveryId: asked?.deliveryId, orderId, score: 9, comment: 'Well packed' })
    const again = await post(buyer.token, `/v1/polls/${poll.id}/answers`, { score: 2, deliveryId: asked?.deliveryId })
    expect(again.status).toBe(409)
    expect((await json(again)).code).toBe('already_answered')
    expect((await post(buyer.token, `/v1/polls/${poll.id}/answers`, { score: 2 })).status).toBe(409)
    expect((await waiting(buyer)).data.filter((w) => w.pollId === poll.id)).toEqual([])

    const results = await json(await call(`/v1/admin/polls/${poll.id}/results`, { token: admin.token }))
    expect(results).toMatchObject({ delivered: 1, count: 1, average: 9, nps: 100, promoters: 1, passives: 0, detractors: 0, distribution: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0] })
    const list = await json<{ data: (Poll & { delivered: number; answered: number })[] }>(await call('/v1/admin/polls', { token: admin.token }))
    expect(list.data.find((p) => p.id === poll.id)).toMatchObject({ delivered: 1, answered: 1 })

    // The seller's rating from the buyer's answer: on the public profile and on their own ratings; the buyer has none.
    expect(await json(await call(`/v1/users/${seller.user.id}`))).toMatchObject({ feedback: { average: 9, count: 1 } })
    expect(await json(await call('/v1/me/ratings', { token: seller.token }))).toEqual({ reviews: { average: null, count: 0 }, feedback: { average: 9, count: 1 } })
    expect(await json(await call(`/v1/users/${buyer.user.id}`))).toMatchObject({ feedback: { average: null, count: 0 } })
    // The poll's creation is audited.
    const [entry] = await auditLogStub(env).list({ limit: 1, action: 'poll.created', subjectId: poll.id })
    expect(entry).toMatchObject({ actorId: admin.user.id, details: { trigger: 'order.completed', audience: 'buyer' } })
  }, 30_000)

  it('asks the seller about the buyer without rating anybody, once per order; answers name their order or take the oldest', async () => {
    const admin = await staff()
    const seller = await register('Sami')
    const buyer = await register('Cleo')
    const poll = await createPoll(admin, { question: 'Would you sell to {subject} again?', trigger: 'order.paid', audience: 'seller' })
    const first = await paidOrder(seller, buyer)
    const second = await paidOrder(seller, buyer)
    const both = await eventually(() => waiting(seller), (w) => w.data.filter((x) => x.pollId === poll.id).length === 2)
    const mine = both.data.filter((x) => x.pollId === poll.id)
    expect(mine.map((x) => x.orderId).sort()).toEqual([first, second].sort())
    expect(mine.every((x) => x.question === 'Would you sell to Cleo again?' && x.subject.id === buyer.user.id)).toBe(true)
    expect((await waiting(buyer)).data.filter((x) => x.pollId === poll.id)).toEqual([])

    const ofSecond = mine.find((x) => x.orderId === second)!
    expect((await post(buyer.token, `/v1/polls/${poll.id}/answers`, { score: 5, deliveryId: ofSecond.deliveryId })).status).toBe(404) // not theirs
    expect((await post(seller.token, `/v1/polls/${poll.id}/answers`, { score: 3, deliveryId: ofSecond.deliveryId })).status).toBe(201)
    const oldest = await post(seller.token, `/v1/polls/${poll.id}/answers`, { score: 10 })
    expect(oldest.status).toBe(201)
    expect((await json(oldest)).orderId).toBe(first)
    expect((await json(await post(seller.token, `/v1/polls/${poll.id}/answers`, { score: 10 }))).code).toBe('already_answered')

    expect(await json(await call(`/v1/admin/polls/${poll.id}/results`, { token: admin.token }))).toMatchObject({ count: 2, average: 6.5, nps: 0, distribution: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1] })
    // A seller's answers about a buyer rate nobody.
    expect(await json(await call(`/v1/users/${buyer.user.id}`))).toMatchObject({ feedback: { average: null, count: 0 } })
    expect(await json(await call(`/v1/users/${seller.user.id}`))).toMatchObject({ feedback: { average: null, count: 0 } })
  }, 30_000)
})

describe('feedback polls refuse', () => {
  it('bad input on every route with a clear 4xx, and change nothing', async () => {
    const admin = await staff()
    const polls = () => count('SELECT count(*) AS n FROM polls')
    const before = await polls()
    const create = (body: unknown) => post(admin.token, '/v1/admin/polls', body)
    const good = { question: 'How was it?', trigger: 'order.completed', audience: 'buyer' }
    for (const body of [{}, { ...good, question: '' }, { ...good, question: 'x'.repeat(201) }, { ...good, question: 'bell\u0007' }, { ...good, audience: 'everyone' }, { ...good, trigger: 7 }, { ...good, extra: true }, { ...good, trigger: 'x'.repeat(65) }]) {
      const res = await create(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await json(res)).code).toBe('validation_failed')
    }
    for (const trigger of ['bid.placed', 'listing.updated', 'account.frozen', 'order.exploded']) {
      const res = await create({ ...good, trigger })
      expect(res.status, trigger).toBe(422)
      expect((await json(res)).code).toBe('poll_trigger_invalid')
    }
    const malformed = await call('/v1/admin/polls', { method: 'POST', token: admin.token, headers: { 'content-type': 'application/json' }, body: '{"question":' })
    expect(malformed.status).toBe(400)
    expect(await polls()).toBe(before)

    expect((await call('/v1/admin/polls/pol_nope/results', { token: admin.token })).status).toBe(400)
    expect((await call('/v1/admin/polls/pol_01m9d5e7g9j1m3p5r7t9v1x3z5/results', { token: admin.token })).status).toBe(404)
    expect((await call('/v1/admin/polls?limit=0', { token: admin.token })).status).toBe(400)
    expect((await call('/v1/admin/polls?cursor=garbage', { token: admin.token })).status).toBe(400)

    const poll = await createPoll(admin, good)
    const person = await register('poll-answerer')
    const answers = () => count('SELECT count(*) AS n FROM poll_answers')
    const answersBefore = await answers()
    const answer = (body: unknown, id = poll.id) => post(person.token, `/v1/polls/${id}/answers`, body)
    for (const body of [{}, { score: 11 }, { score: -1 }, { score: 5.5 }, { score: '9' }, { score: null }, { score: 5, comment: 'x'.repeat(1001) }, { score: 5, comment: 'nul\u0000' }, { score: 5, deliveryId: 'pdv_x' }, { score: 5, extra: 1 }]) {
      const res = await answer(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    expect((await answer({ score: 5 }, 'pol_nope')).status).toBe(400)
    expect((await answer({ score: 5 }, 'pol_01m9d5e7g9j1m3p5r7t9v1x3z5')).status).toBe(404) // no such poll
    expect((await answer({ score: 5 })).status).toBe(404) // never put to them
    expect((await answer({ score: 5, deliveryId: 'pdv_01m9d6f8h0k2m4p6r8t0v2x4z6' })).status).toBe(404)
    expect(await answers()).toBe(answersBefore)
    expect((await call('/v1/me/polls?limit=101', { token: person.token })).status).toBe(400)
    expect((await call('/v1/me/polls?cursor=garbage', { token: person.token })).status).toBe(400)
  })

  it('anybody but staff at the admin routes (403), strangers everywhere (401), and API keys at a person’s answers (403)', async () => {
    const admin = await staff()
    const poll = await createPoll(admin, { question: 'How was it?', trigger: 'order.delivered', audience: 'buyer' })
    const user = await register('poll-nobody')
    const before = await count('SELECT count(*) AS n FROM polls')
    expect((await post(user.token, '/v1/admin/polls', { question: 'Mine?', trigger: 'order.completed', audience: 'buyer' })).status).toBe(403)
    expect((await call('/v1/admin/polls', { token: user.token })).status).toBe(403)
    expect((await call(`/v1/admin/polls/${poll.id}/results`, { token: user.token })).status).toBe(403)
    expect(await count('SELECT count(*) AS n FROM polls')).toBe(before)
    for (const [method, path] of [['GET', '/v1/admin/polls'], ['POST', '/v1/admin/polls'], ['GET', '/v1/me/polls'], ['POST', `/v1/polls/${poll.id}/answers`], ['GET', '/v1/me/ratings']] as const) {
      expect((await call(path, { method, ...(method === 'POST' ? { json: { score: 1 } } : {}) })).status, path).toBe(401)
    }
    const key = await json<{ key: string }>(await post(user.token, '/v1/api-keys', { name: 'everything', scopes: ['account:read', 'orders:read', 'orders:write', 'notifications:read'] }))
    expect((await call('/v1/me/polls', { token: key.key })).status).toBe(403)
    expect((await post(key.key, `/v1/polls/${poll.id}/answers`, { score: 3 })).status).toBe(403)
  })
})
