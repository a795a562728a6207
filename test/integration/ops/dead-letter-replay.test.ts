import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { eventually } from '../checkout/checkout-fixtures'
import { call, json, makeStaff, register } from '../support/api'
import { orderEvent } from '../support/events'
import { publishEvents } from '../../../src/events/publish-events'

type Letters = { data: { id: string; queue: string; body: { id?: string }; attempts: number; replayedAt: string | null }[] }
type Inbox = { data: { type: string }[] }

/**
 * Through the real queues: a consumer that keeps failing is retried until its queue gives up
 * (max_retries), the message lands in that consumer's dead-letter queue and is kept in D1; once
 * the fault is gone, an admin's replay delivers it to that consumer alone, once.
 */
it('retries a failing consumer, dead-letters it after max retries, and a replay delivers it once', async () => {
  const buyer = await register('buyer')
  const seller = await register('seller')
  const admin = await register('admin')
  await makeStaff(admin.user.id, 'admin')
  // The fault: every notice for this buyer fails to be written (D1 answers an error).
  await env.DB.exec(`CREATE TRIGGER inject_notice_fault BEFORE INSERT ON notifications WHEN NEW.user_id = '${buyer.user.id}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`)
  const event = orderEvent(buyer.user.id, seller.user.id, 'shipped', 3)
  await publishEvents(env, [event])

  const letters = () => call('/v1/admin/dead-letters?queue=souk-events-notifications', { token: admin.token }).then((r) => json<Letters>(r))
  const dead = await eventually(letters, (l) => l.data.some((d) => d.body.id === event.id), 30_000)
  const letter = dead.data.find((d) => d.body.id === event.id)
  expect(letter?.replayedAt).toBeNull()
  expect((await json<Inbox>(await call('/v1/me/notifications', { token: buyer.token }))).data).toEqual([])

  await env.DB.exec('DROP TRIGGER inject_notice_fault')
  const replay = await call(`/v1/admin/dead-letters/${letter?.id}/replay`, { method: 'POST', token: admin.token })
  expect(replay.status).toBe(202)
  const inbox = await eventually(
    async () => json<Inbox>(await call('/v1/me/notifications', { token: buyer.token })),
    (i) => i.data.length > 0,
  )
  expect(inbox.data.map((n) => n.type)).toEqual(['order.shipped'])
  // Replayed twice (an operator's double click): still one notice.
  expect((await call(`/v1/admin/dead-letters/${letter?.id}/replay`, { method: 'POST', token: admin.token })).status).toBe(202)
  await new Promise((r) => setTimeout(r, 500))
  expect((await json<Inbox>(await call('/v1/me/notifications', { token: buyer.token }))).data).toHaveLength(1)
}, 60_000)
