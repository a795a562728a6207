import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { expect, it } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import { newId } from '../../../src/platform/runtime'
import { consumeWebhookDeliveries, type Send } from '../../../src/webhook-endpoints/webhook-delivery-consumer'
import { openMessages } from '../../../src/webhook-endpoints/webhook-message-store'
import { call, json, register } from '../support/api'

type Received = { body: string; headers: Record<string, string> }

/** Makes one message for the endpoint and delivers it through the consumer to a receiver that keeps what it got. */
async function deliverOne(endpointId: string): Promise<Received> {
  const messageId = newId('msg')
  const eventId = newId('evt')
  const payload = JSON.stringify({ type: 'order.paid', timestamp: new Date().toISOString(), data: { eventId } })
  await openMessages(env.DB, [eventId], [{ id: messageId, endpointId, eventId, type: 'order.paid', payload, createdAt: new Date().toISOString() }], new Date())
  const received: Received[] = []
  const send: Send = (_url, init) => {
    if (typeof init.body !== 'string') throw new Error('the consumer sends the payload as a string')
    received.push({ body: init.body, headers: Object.fromEntries(new Headers(init.headers).entries()) })
    return Promise.resolve(new Response(null, { status: 204 }))
  }
  const batch = createMessageBatch('souk-webhooks', [{ id: 'q1', timestamp: new Date(), attempts: 1, body: { messageId } }])
  const log = createLogger({ sink: () => undefined, now: () => new Date(), level: 'error' })
  await consumeWebhookDeliveries(batch, env, log, send)
  expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(['q1'])
  expect(received).toHaveLength(1)
  const [got] = received
  if (!got) throw new Error('nothing received')
  return got
}

const accepts = (secret: string, r: Received): boolean => {
  try {
    new Webhook(secret).verify(r.body, r.headers)
    return true
  } catch (err) {
    if (err instanceof WebhookVerificationError) return false // this secret signed none of the signatures
    throw err
  }
}

async function endpointOf(token: string) {
  return json<{ id: string; secret: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token, json: { url: 'http://127.0.0.1:9/hook', events: ['*'] } }))
}

it('for 24 h after a rotation, a receiver verifying with either the old or the new secret accepts; afterwards only the new one', async () => {
  const owner = await register('owner')
  const endpoint = await endpointOf(owner.token)
  const before = await deliverOne(endpoint.id)
  expect(before.headers['webhook-signature']?.split(' ')).toHaveLength(1)
  expect(accepts(endpoint.secret, before)).toBe(true)

  const res = await call(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { method: 'POST', token: owner.token })
  expect(res.status).toBe(200)
  const rotated = await json<{ secret: string; previousSecretExpiresAt: string }>(res)
  expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
  expect(rotated.secret).not.toBe(endpoint.secret)
  const overlapHours = (Date.parse(rotated.previousSecretExpiresAt) - Date.now()) / 3_600_000
  expect(overlapHours).toBeGreaterThan(23.9)
  expect(overlapHours).toBeLessThanOrEqual(24)

  const during = await deliverOne(endpoint.id)
  expect(during.headers['webhook-signature']?.split(' ')).toHaveLength(2)
  expect(accepts(rotated.secret, during)).toBe(true)
  expect(accepts(endpoint.secret, during)).toBe(true)
  const unrelated = await endpointOf(owner.token)
  expect(accepts(unrelated.secret, during)).toBe(false)

  // The overlap is over: its end moved into the past, as 24 h later.
  await env.DB.prepare('UPDATE webhook_endpoints SET previous_secret_expires_at = ? WHERE id = ?').bind(new Date(Date.now() - 1000).toISOString(), endpoint.id).run()
  const after = await deliverOne(endpoint.id)
  expect(after.headers['webhook-signature']?.split(' ')).toHaveLength(1)
  expect(accepts(rotated.secret, after)).toBe(true)
  expect(accepts(endpoint.secret, after)).toBe(false)
})

it('a second rotation within the overlap leaves only the last two secrets signing', async () => {
  const owner = await register('owner')
  const endpoint = await endpointOf(owner.token)
  const rotate = async () => json<{ secret: string }>(await call(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { method: 'POST', token: owner.token }))
  const second = await rotate()
  const third = await rotate()
  const got = await deliverOne(endpoint.id)
  expect([endpoint.secret, second.secret, third.secret].map((s) => accepts(s, got))).toEqual([false, true, true])
})

it('lets only the owner rotate: a stranger gets 404 and the secret stays; a bad id is a 400 problem; no token 401', async () => {
  const owner = await register('owner')
  const stranger = await register('stranger')
  const endpoint = await endpointOf(owner.token)
  expect((await call(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { method: 'POST', token: stranger.token })).status).toBe(404)
  expect((await call('/v1/webhook-endpoints/whe_00000000000000000000000000/rotate-secret', { method: 'POST', token: owner.token })).status).toBe(404)
  const bad = await call('/v1/webhook-endpoints/nope/rotate-secret', { method: 'POST', token: owner.token })
  expect(bad.status).toBe(400)
  expect(await json(bad)).toMatchObject({ code: 'validation_failed' })
  expect((await call(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { method: 'POST' })).status).toBe(401)
  const got = await deliverOne(endpoint.id)
  expect(got.headers['webhook-signature']?.split(' ')).toHaveLength(1)
  expect(accepts(endpoint.secret, got)).toBe(true)
})
