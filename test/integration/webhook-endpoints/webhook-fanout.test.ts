import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { call, json, register } from '../support/api'
import { deliverEvent, orderEvent } from '../support/events'
import { newId } from '../../../src/platform/runtime'
import { openMessages } from '../../../src/webhook-endpoints/webhook-message-store'

it('an event delivered twice makes one message per endpoint that may see it, and none for anyone else', async () => {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const stranger = await register('stranger')
  const endpoint = async (token: string, events: string[]) =>
    json<{ id: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token, json: { url: 'http://127.0.0.1:9/hook', events } }))
  const sellerAll = await endpoint(seller.token, ['*'])
  const sellerListings = await endpoint(seller.token, ['listing.*'])
  const buyerPaid = await endpoint(buyer.token, ['order.paid'])
  const strangerAll = await endpoint(stranger.token, ['*'])

  const event = orderEvent(buyer.user.id, seller.user.id, 'paid', 2)
  for (const tag of ['first', 'again']) expect(await deliverEvent(event, tag, 'webhooks')).toEqual([tag])
  const { results } = await env.DB.prepare('SELECT endpoint_id, count(*) AS n FROM webhook_messages WHERE event_id = ? GROUP BY endpoint_id').bind(event.id).all<{ endpoint_id: string; n: number }>()
  expect(Object.fromEntries(results.map((r) => [r.endpoint_id, r.n]))).toEqual({ [sellerAll.id]: 1, [buyerPaid.id]: 1 })
  expect(results.map((r) => r.endpoint_id)).not.toContain(sellerListings.id)
  expect(results.map((r) => r.endpoint_id)).not.toContain(strangerAll.id)
})

it('retries one delivery on its owner’s word, keeping its webhook-id; nobody else may', async () => {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const endpoint = await json<{ id: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token: seller.token, json: { url: 'http://127.0.0.1:9/hook', events: ['order.*'] } }))
  const event = orderEvent(buyer.user.id, seller.user.id, 'paid', 2)
  expect(await deliverEvent(event, 'one', 'webhooks')).toEqual(['one'])
  const message = await env.DB.prepare('SELECT id FROM webhook_messages WHERE endpoint_id = ?').bind(endpoint.id).first<{ id: string }>()
  const path = `/v1/webhook-endpoints/${endpoint.id}/deliveries/${message?.id}/retry`
  expect((await call(path, { method: 'POST', token: buyer.token })).status).toBe(404)
  const retried = await call(path, { method: 'POST', token: seller.token })
  expect(retried.status).toBe(202)
  expect(await json(retried)).toMatchObject({ id: message?.id, type: 'order.paid', status: 'pending' })
  expect((await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries/msg_00000000000000000000000000/retry`, { method: 'POST', token: seller.token })).status).toBe(404)
})

it('queues a message once: a repeat moments later queues nothing; one left unqueued by a run that stopped is queued again after a minute', async () => {
  const seller = await register('seller')
  const endpoint = await json<{ id: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token: seller.token, json: { url: 'http://127.0.0.1:9/hook', events: ['*'] } }))
  const eventId = newId('evt')
  const at = new Date()
  const message = { id: newId('msg'), endpointId: endpoint.id, eventId, type: 'order.paid', payload: '{}', createdAt: at.toISOString() }
  expect(await openMessages(env.DB, [eventId], [message], at)).toEqual([message.id])
  // The same event again (a redelivery, or a batch retried one event at a time): made already, on its way.
  expect(await openMessages(env.DB, [eventId], [{ ...message, id: newId('msg') }], new Date(at.getTime() + 5_000))).toEqual([])
  // A minute on and still never attempted: the first run stopped before queueing it.
  expect(await openMessages(env.DB, [eventId], [{ ...message, id: newId('msg') }], new Date(at.getTime() + 61_000))).toEqual([message.id])
})
