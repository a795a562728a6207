import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { publishEvents } from '../../../src/events/publish-events'
import { eventually } from '../checkout/checkout-fixtures'
import { createAuction } from '../listings/fixtures'
import { call, json, makeStaff, register } from '../support/api'
import { orderEvent } from '../support/events'

type Letters = { data: { id: string; queue: string; body: { id?: string; aggregateId?: string } }[] }
const count = async (sql: string, ...binds: string[]) => (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())?.n ?? 0

/**
 * One consumer failing, the others untouched: the webhooks consumer cannot write a single message
 * (D1 refuses, by a trigger) through every retry its queue gives it, until each of its events lands
 * in its own dead-letter queue. Meanwhile the read model, the notices and the auction's bids are
 * applied, once, as if nothing were wrong, and no other consumer dead-letters anything. Replayed
 * once the fault is gone, the webhooks consumer alone catches up, once per (endpoint, event).
 */
it('a consumer that keeps failing leaves the others’ effects applied, once, and catches up alone when replayed', async () => {
  const [seller, alice, bob, admin] = await Promise.all(['seller', 'alice', 'bob', 'admin'].map((l) => register(`isolation-${l}`)))
  await makeStaff(admin!.user.id, 'admin')
  const hook = await json<{ id: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token: seller!.token, json: { url: 'http://127.0.0.1:9/hook', events: ['*'] } }))
  await env.DB.exec(`CREATE TRIGGER inject_webhook_fault BEFORE INSERT ON webhook_messages WHEN NEW.endpoint_id = '${hook.id}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`)

  // A bidding war on the seller's auction, and an order between Alice and the seller.
  const { id: listingId, stub } = await createAuction({}, 3_600_000, seller!.user.id)
  for (const [who, amount] of [[alice!, 1500], [bob!, 2000], [alice!, 2500], [bob!, 3000]] as const) {
    expect((await stub.placeBid({ bidderId: who.user.id, maxAmount: { amount, currency: 'USD' } })).ok).toBe(true)
  }
  const paid = orderEvent(alice!.user.id, seller!.user.id, 'paid', 2)
  await publishEvents(env, [paid])
  const listingEvents = await stub.eventsSince(0)
  const lastSeq = listingEvents.at(-1)!.seq

  // The webhooks consumer gives up on every one of them: its own dead-letter queue, nobody else's.
  const letters = async () => json<Letters>(await call('/v1/admin/dead-letters?limit=100&queue=souk-events-webhooks', { token: admin!.token }))
  const expected = [...listingEvents.map((e) => e.id), paid.id].sort()
  const mine = (l: Letters) => l.data.filter((d) => d.body.aggregateId === listingId || d.body.id === paid.id)
  const dead = await eventually(letters, (l) => mine(l).length >= expected.length, 60_000)
  expect(mine(dead).map((d) => d.body.id).sort()).toEqual(expected)

  // Everything else was applied, once: the read model is at the last bid; each outbid bidder heard
  // once (the throttle window), the order's parties each once; no other consumer dead-lettered.
  expect(await count('SELECT last_seq AS n FROM listings WHERE id = ?', listingId)).toBe(lastSeq)
  expect(await count("SELECT count(*) AS n FROM notifications WHERE type = 'bid.outbid' AND user_id IN (?, ?)", alice!.user.id, bob!.user.id)).toBe(2)
  expect(await count('SELECT count(*) AS n FROM notifications WHERE event_id = ?', paid.id)).toBe(2)
  expect(await count("SELECT count(*) AS n FROM dead_letters WHERE queue <> 'souk-events-webhooks' AND (body LIKE ? OR body LIKE ?)", `%${listingId}%`, `%${paid.id}%`)).toBe(0)
  expect(await count('SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = ?', hook.id)).toBe(0)

  // The fault is gone; each letter replayed (one twice, an operator's double click) reaches the webhooks consumer alone.
  await env.DB.exec('DROP TRIGGER inject_webhook_fault')
  const notices = await count('SELECT count(*) AS n FROM notifications WHERE user_id IN (?, ?, ?)', alice!.user.id, bob!.user.id, seller!.user.id)
  for (const letter of [...mine(dead), mine(dead)[0]!]) expect((await call(`/v1/admin/dead-letters/${letter.id}/replay`, { method: 'POST', token: admin!.token })).status).toBe(202)
  await eventually(() => count('SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = ?', hook.id), (n) => n >= expected.length)
  await new Promise((r) => setTimeout(r, 500))
  expect(await count('SELECT count(DISTINCT event_id) AS n FROM webhook_messages WHERE endpoint_id = ?', hook.id)).toBe(expected.length)
  expect(await count('SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = ?', hook.id)).toBe(expected.length)
  expect(await count('SELECT count(*) AS n FROM notifications WHERE user_id IN (?, ?, ?)', alice!.user.id, bob!.user.id, seller!.user.id)).toBe(notices)
}, 90_000)
