import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { subscriptions, type ConsumerName } from '../../../src/events/event-subscriptions'
import worker from '../../../src/index'
import { toEnvelope } from '../../../src/listings/outbox'
import { createAuction } from '../listings/fixtures'
import { BASE, call, json, makeStaff, register, type Registered } from '../support/api'
import { orderEvent } from '../support/events'

/**
 * Each consumer on its own queue, delivered what queues do deliver: the same events again, in
 * another order, and a batch cut short by a failure. Whatever the order and however often, each
 * consumer's effects are those of applying every event once.
 */
let batchCount = 0
async function deliver(consumer: ConsumerName, events: EventEnvelope[]) {
  const tag = `b${++batchCount}`
  const batch = createMessageBatch(subscriptions[consumer].queue, events.map((body, i) => ({ id: `${tag}-${i}`, timestamp: new Date(), attempts: 1, body })))
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  const result = await getQueueResult(batch, ctx)
  return { acked: result.explicitAcks.length, retried: result.retryMessages.length }
}

/** A seeded shuffle, so a failure names the order it failed in. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

const rows = async <T>(sql: string, ...binds: string[]) => (await env.DB.prepare(sql).bind(...binds).all<T>()).results

/** A bidding war between two people on a fresh auction: its events, as the outbox publishes them. */
async function biddingWar(seller: Registered, a: Registered, b: Registered) {
  const { id, stub } = await createAuction({}, 3_600_000, seller.user.id)
  for (const [who, amount] of [[a, 1500], [b, 2000], [a, 2500], [b, 3000], [a, 3500]] as const) {
    expect((await stub.placeBid({ bidderId: who.user.id, maxAmount: { amount, currency: 'USD' } })).ok).toBe(true)
  }
  const events = (await stub.eventsSince(0)).map((e) => toEnvelope(id, e))
  return { id, events, last: events.at(-1) as EventEnvelope }
}

describe('each consumer, redelivered and reordered', () => {
  it('the read model ends at the newest seq, whatever order and however often the events came', async () => {
    const [seller, a, b] = await Promise.all(['seller', 'a', 'b'].map((l) => register(`redeliver-${l}`)))
    const war = await biddingWar(seller!, a!, b!)
    // The newest first, then the rest in another order, then all again in a third.
    await deliver('projection', [war.last])
    await deliver('projection', shuffled(war.events, 7))
    await deliver('projection', shuffled([...war.events, ...war.events], 11))
    const [row] = await rows<{ last_seq: number; view: string }>('SELECT last_seq, view FROM listings WHERE id = ?', war.id)
    expect(row?.last_seq).toBe(war.last.seq)
    expect((JSON.parse(row?.view ?? '{}') as { currentPrice?: unknown }).currentPrice).toEqual((war.last.data as { listing: { currentPrice: unknown } }).listing.currentPrice)
  })

  it('notices: one per (event, person, type) after redeliveries in any order, and a batch cut short by a crash applies the rest once', async () => {
    const [seller, a, b] = await Promise.all(['seller', 'a', 'b'].map((l) => register(`redeliver-${l}`)))
    const orders = (['paid', 'shipped', 'delivered', 'completed'] as const).map((status, i) => orderEvent(a!.user.id, seller!.user.id, status, i + 2))
    // The crash: every notice for B fails to be written, so the batch as a whole fails once, then one at a time only B's events fail.
    await env.DB.exec(`CREATE TRIGGER inject_crash_${b!.user.id} BEFORE INSERT ON notifications WHEN NEW.user_id = '${b!.user.id}' BEGIN SELECT RAISE(ABORT, 'crash'); END`)
    const bOrder = orderEvent(b!.user.id, seller!.user.id, 'shipped', 3)
    const first = await deliver('notifications', shuffled([...orders, bOrder], 3))
    expect(first).toEqual({ acked: orders.length, retried: 1 })
    await env.DB.exec(`DROP TRIGGER inject_crash_${b!.user.id}`)
    // The queue delivers the failed one again, and a redelivery of everything comes in another order.
    await deliver('notifications', [bOrder])
    await deliver('notifications', shuffled([...orders, bOrder, ...orders], 5))
    const notices = await rows<{ user_id: string; type: string; n: number }>(
      'SELECT user_id, type, count(*) AS n FROM notifications WHERE user_id IN (?, ?, ?) GROUP BY user_id, type ORDER BY user_id, type',
      a!.user.id,
      b!.user.id,
      seller!.user.id,
    )
    expect(notices.map((r) => `${r.user_id === a!.user.id ? 'a' : r.user_id === b!.user.id ? 'b' : 'seller'} ${r.type} ${r.n}`).sort()).toEqual(
      ['a order.delivered 1', 'a order.paid 1', 'a order.shipped 1', 'b order.shipped 1', 'seller order.completed 1', 'seller order.sold 1'].sort(),
    )
    // Each notice's dispatches were made once.
    const [dup] = await rows<{ n: number }>('SELECT count(*) AS n FROM (SELECT notification_id, channel FROM notification_dispatches WHERE user_id IN (?, ?) GROUP BY notification_id, channel HAVING count(*) > 1)', a!.user.id, b!.user.id)
    expect(dup?.n).toBe(0)
  })

  it('webhook messages: one per (endpoint, event) after redeliveries in any order', async () => {
    const [seller, a, b] = await Promise.all(['seller', 'a', 'b'].map((l) => register(`redeliver-${l}`)))
    const hook = await json<{ id: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token: seller!.token, json: { url: 'http://127.0.0.1:9/hook', events: ['bid.placed', 'order.*'] } }))
    const war = await biddingWar(seller!, a!, b!)
    const paid = orderEvent(a!.user.id, seller!.user.id, 'paid', 2)
    const all = [...war.events, paid]
    await deliver('webhooks', shuffled(all, 13))
    await deliver('webhooks', shuffled([...all, ...all], 17))
    const made = await rows<{ event_id: string; n: number }>('SELECT event_id, count(*) AS n FROM webhook_messages WHERE endpoint_id = ? GROUP BY event_id', hook.id)
    const wanted = all.filter((e) => e.type === 'bid.placed' || e.type.startsWith('order.')).map((e) => e.id)
    expect(made.map((m) => m.event_id).sort()).toEqual([...wanted].sort())
    expect(made.every((m) => m.n === 1)).toBe(true)
  })

  it('account events: a freeze and an unfreeze tell the account holder once each, however often they are published', async () => {
    const [admin, member] = await Promise.all(['admin', 'member'].map((l) => register(`redeliver-${l}`)))
    await makeStaff(admin!.user.id, 'admin')
    const freeze = (verb: 'freeze' | 'unfreeze') => call(`/v1/admin/users/${member!.user.id}/${verb}`, { method: 'POST', token: admin!.token })
    // Staff repeat a freeze (a double click): the same event is published again, under the same id.
    for (const verb of ['freeze', 'freeze', 'unfreeze'] as const) expect((await freeze(verb)).status).toBe(200)
    const told = async () => rows<{ type: string; event_id: string }>("SELECT type, event_id FROM notifications WHERE user_id = ? AND type LIKE 'account.%' ORDER BY created_at", member!.user.id)
    const deadline = Date.now() + 15_000
    while ((await told()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    await new Promise((r) => setTimeout(r, 300))
    const notices = await told()
    expect(notices.map((n) => n.type)).toEqual(['account.frozen', 'account.unfrozen'])
    expect(new Set(notices.map((n) => n.event_id)).size).toBe(2)
  })

  it('a freeze whose event the queue refuses stands, answers 503 to be repeated, and the repeat tells the account holder once', async () => {
    const [admin, member] = await Promise.all(['admin', 'member'].map((l) => register(`refused-${l}`)))
    await makeStaff(admin!.user.id, 'admin')
    const refusing = { ...env, EVENTS_NOTIFICATIONS: { send: () => Promise.reject(new Error('queue down')), sendBatch: () => Promise.reject(new Error('queue down')) } } as unknown as Env
    const freezeWith = async (bindings: Env) => {
      const ctx = createExecutionContext()
      const res = await worker.fetch(new Request(`${BASE}/v1/admin/users/${member!.user.id}/freeze`, { method: 'POST', headers: { authorization: `Bearer ${admin!.token}` } }), bindings, ctx)
      await waitOnExecutionContext(ctx)
      return res
    }
    const refused = await freezeWith(refusing)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    const [row] = await rows<{ frozen_at: string | null }>('SELECT frozen_at FROM users WHERE id = ?', member!.user.id)
    expect(row?.frozen_at).not.toBeNull()
    expect((await freezeWith(env)).status).toBe(200)
    const told = async () => rows<{ type: string }>("SELECT type FROM notifications WHERE user_id = ? AND type LIKE 'account.%'", member!.user.id)
    const deadline = Date.now() + 15_000
    while ((await told()).length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    await new Promise((r) => setTimeout(r, 300))
    expect((await told()).map((n) => n.type)).toEqual(['account.frozen'])
  })
})
