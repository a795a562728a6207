import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import { expect, it } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import { consumeWebhookDeliveries, type Send } from '../../../src/webhook-endpoints/webhook-delivery-consumer'
import { call, json, register } from '../support/api'

type Delivery = { id: string; type: string; status: string; attempts: unknown[] }

async function endpointOf(token: string) {
  return json<{ id: string; secret: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token, json: { url: 'http://127.0.0.1:9/hook', events: ['order.paid'] } }))
}

const sendTest = (id: string, token?: string) => call(`/v1/webhook-endpoints/${id}/test`, { method: 'POST', token })

it('queues one webhook.test message for that endpoint alone, delivered and signed like any other', async () => {
  const owner = await register('owner')
  const endpoint = await endpointOf(owner.token)
  const sibling = await endpointOf(owner.token)
  const res = await sendTest(endpoint.id, owner.token)
  expect(res.status).toBe(202)
  const queued = await json<Delivery>(res)
  expect(queued).toMatchObject({ id: expect.stringMatching(/^msg_/), type: 'webhook.test', status: 'pending', attempts: [] })

  const { results } = await env.DB.prepare("SELECT id, endpoint_id FROM webhook_messages WHERE type = 'webhook.test' AND endpoint_id IN (?, ?)").bind(endpoint.id, sibling.id).all<{ id: string; endpoint_id: string }>()
  expect(results).toEqual([{ id: queued.id, endpoint_id: endpoint.id }])
  const log = await json<{ data: Delivery[] }>(await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: owner.token }))
  expect(log.data.map((d) => [d.id, d.type])).toEqual([[queued.id, 'webhook.test']])

  // The delivery consumer takes it like any message: one signed POST with webhook-id = the message id.
  const received: { body: string; headers: Record<string, string> }[] = []
  const send: Send = (_url, init) => {
    if (typeof init.body !== 'string') throw new Error('the consumer sends the payload as a string')
    received.push({ body: init.body, headers: Object.fromEntries(new Headers(init.headers).entries()) })
    return Promise.resolve(new Response(null, { status: 204 }))
  }
  const batch = createMessageBatch('souk-webhooks', [{ id: 'q1', timestamp: new Date(), attempts: 1, body: { messageId: queued.id } }])
  await consumeWebhookDeliveries(batch, env, createLogger({ sink: () => undefined, now: () => new Date(), level: 'error' }), send)
  expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(['q1'])
  const [got] = received
  if (!got) throw new Error('the test event was not sent')
  expect(got.headers['webhook-id']).toBe(queued.id)
  expect(new Webhook(endpoint.secret).verify(got.body, got.headers)).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id, eventId: expect.stringMatching(/^evt_/) } })
})

it('answers a stranger with 404, a bad id with a 400 problem, no token with 401, and a paused endpoint with 409; none queues anything', async () => {
  const owner = await register('owner')
  const stranger = await register('stranger')
  const endpoint = await endpointOf(owner.token)
  expect((await sendTest(endpoint.id, stranger.token)).status).toBe(404)
  expect((await sendTest('whe_00000000000000000000000000', owner.token)).status).toBe(404)
  const bad = await sendTest('whe_nope', owner.token)
  expect(bad.status).toBe(400)
  expect(await json(bad)).toMatchObject({ code: 'validation_failed' })
  expect((await sendTest(endpoint.id)).status).toBe(401)
  const paused = await call(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'PATCH', token: owner.token, json: { enabled: false }, headers: { 'if-match': '*' } })
  expect(paused.status).toBe(200)
  const refused = await sendTest(endpoint.id, owner.token)
  expect(refused.status).toBe(409)
  expect(await json(refused)).toMatchObject({ code: 'invalid_transition' })
  const count = await env.DB.prepare('SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = ?').bind(endpoint.id).first<{ n: number }>()
  expect(count?.n).toBe(0)
})
