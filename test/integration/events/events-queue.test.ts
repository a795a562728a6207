import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { formatId } from '../../../src/core/ids'
import worker from '../../../src/index'
import { eventually } from '../checkout/checkout-fixtures'
import { register } from '../support/api'
import { orderEvent } from '../support/events'

const message = (id: string, body: unknown, attempts = 1) => ({ id, timestamp: new Date(), attempts, body })
const eventId = () => formatId('evt', Date.now(), crypto.getRandomValues(new Uint8Array(10)))

it('a consumer acks events it does not take or know (health probes, future types) and retries what is not an event', async () => {
  const batch = createMessageBatch('souk-events-notifications', [
    message('m1', { id: eventId(), type: 'health.probe', version: 1, aggregateId: 'health', seq: 0, occurredAt: new Date().toISOString(), data: {} }),
    message('m2', { id: eventId(), type: 'listing.future_thing', version: 3, aggregateId: 'lst_x', seq: 9, occurredAt: new Date().toISOString(), data: { any: 1 } }),
    message('m3', { hello: 'not an event' }, 4),
  ])
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  const result = await getQueueResult(batch, ctx)
  expect(result.explicitAcks.sort()).toEqual(['m1', 'm2'])
  expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['m3'])
  // (The pool does not report retry delays; the unit tests of the consumer check them.)
})

it('forwards what is left in the old shared souk-events queue to every consumer that takes it, and acks it there', async () => {
  const buyer = await register('legacy-buyer')
  const seller = await register('legacy-seller')
  const event = orderEvent(buyer.user.id, seller.user.id, 'shipped', 3)
  const batch = createMessageBatch('souk-events', [message('legacy-1', event)])
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['legacy-1'])
  const told = async () => (await env.DB.prepare('SELECT count(*) AS n FROM notifications WHERE event_id = ?').bind(event.id).first<{ n: number }>())?.n ?? 0
  expect(await eventually(told, (n) => n > 0)).toBe(1)
})
