import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import { newId } from '../../../src/platform/runtime'
import type { HostLookup } from '../../../src/webhook-endpoints/outbound-host'
import { consumeWebhookDeliveries, type Send } from '../../../src/webhook-endpoints/webhook-delivery-consumer'
import { openMessages } from '../../../src/webhook-endpoints/webhook-message-store'
import { call, json, register } from '../support/api'

const URL_ = 'https://hooks.example.com/souk'

/** An endpoint registered through the API (a public name passes there) with one message waiting for its first attempt. */
async function endpointWithMessage() {
  const owner = await register('seller')
  const endpoint = await json<{ id: string }>(await call('/v1/webhook-endpoints', { method: 'POST', token: owner.token, json: { url: URL_, events: ['*'] } }))
  const messageId = newId('msg')
  const eventId = newId('evt')
  await openMessages(env.DB, [eventId], [{ id: messageId, endpointId: endpoint.id, eventId, type: 'order.paid', payload: '{"type":"order.paid"}', createdAt: new Date().toISOString() }], new Date())
  const deliveries = async () =>
    (await json<{ data: { id: string; status: string; attempts: { statusCode: number | null; error: string | null }[] }[] }>(await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: owner.token }))).data
  return { messageId, deliveries }
}

/**
 * The test bindings in production mode (a new object, so settings are parsed afresh), with a
 * stand-in for the webhooks queue: a retry stays here instead of reaching the real consumer.
 */
function productionEnv() {
  const requeued: { body: unknown; options: unknown }[] = []
  const WEBHOOKS = {
    send(body: unknown, options?: unknown) {
      requeued.push({ body, options })
      return Promise.resolve()
    },
  }
  // Production refuses the repository's development keyring: a keyring of its own, made here.
  const keys = { PII_KEY_ID: 'k1', PII_KEYS: JSON.stringify({ k1: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))) }), PII_INDEX_KEY: `test-index-${crypto.randomUUID()}` }
  return { env: { ...env, ENVIRONMENT: 'production', NOTIFICATION_DELIVERY: 'providers', WEBHOOKS, ...keys } as unknown as Env, requeued }
}

function receiver() {
  const calls: string[] = []
  const send: Send = (url) => {
    calls.push(url)
    return Promise.resolve(new Response(null, { status: 204 }))
  }
  return { send, calls }
}

function resolver(address: string) {
  const asked: string[] = []
  const resolve = (host: string): Promise<HostLookup> => {
    asked.push(host)
    return Promise.resolve({ ok: true, answers: [{ status: 0, records: [{ name: host, type: 1, ttl: 60, data: address }] }, { status: 0, records: [] }] })
  }
  return { resolve, asked }
}

async function consume(messageId: string, bindings: Env, send: Send, resolve: (host: string) => Promise<HostLookup>) {
  const lines: string[] = []
  const log = createLogger({ sink: (line) => lines.push(line), now: () => new Date(), level: 'warn' })
  const batch = createMessageBatch('souk-webhooks', [{ id: 'q1', timestamp: new Date(), attempts: 1, body: { messageId } }])
  const ctx = createExecutionContext()
  await consumeWebhookDeliveries(batch, bindings, log, send, resolve)
  const result = await getQueueResult(batch, ctx)
  return { acks: result.explicitAcks, retries: result.retryMessages.map((r) => r.msgId), lines }
}

it('in production, never calls a public-looking name that resolves to a private address, and tries again later', async () => {
  const { messageId, deliveries } = await endpointWithMessage()
  const production = productionEnv()
  const target = receiver()
  const dns = resolver('10.0.0.5')

  const { acks, lines } = await consume(messageId, production.env, target.send, dns.resolve)

  expect(dns.asked).toEqual(['hooks.example.com'])
  expect(target.calls).toEqual([])
  expect(acks).toEqual(['q1'])
  expect(await deliveries()).toMatchObject([{ id: messageId, status: 'pending', attempts: [{ statusCode: null, error: 'host resolves to a private address' }] }])
  expect(production.requeued).toEqual([{ body: { messageId }, options: expect.objectContaining({ delaySeconds: expect.any(Number) }) }])
  expect(lines.map((l) => JSON.parse(l) as { msg: string; reason?: string })).toContainEqual(expect.objectContaining({ msg: 'webhook_host_refused', reason: 'host resolves to a private address' }))
})

it('in production, sends when the name resolves to public addresses only', async () => {
  const { messageId, deliveries } = await endpointWithMessage()
  const production = productionEnv()
  const target = receiver()
  const dns = resolver('93.184.216.34')

  await consume(messageId, production.env, target.send, dns.resolve)

  expect(dns.asked).toEqual(['hooks.example.com'])
  expect(target.calls).toEqual([URL_])
  expect(await deliveries()).toMatchObject([{ id: messageId, status: 'delivered', attempts: [{ statusCode: 204, error: null }] }])
  expect(production.requeued).toEqual([])
})

it('in production, a resolver outage is Souk’s failure: the queue retries, and the receiver is not charged an attempt', async () => {
  const { messageId, deliveries } = await endpointWithMessage()
  const production = productionEnv()
  const target = receiver()
  const down = (): Promise<HostLookup> => Promise.resolve({ ok: false, error: 'resolver timed out' })

  const { acks, retries } = await consume(messageId, production.env, target.send, down)

  expect(target.calls).toEqual([])
  expect(acks).toEqual([])
  expect(retries).toEqual(['q1'])
  expect(await deliveries()).toMatchObject([{ id: messageId, status: 'pending', attempts: [] }])
  const failing = await env.DB.prepare('SELECT e.failing_since FROM webhook_endpoints e JOIN webhook_messages m ON m.endpoint_id = e.id WHERE m.id = ?').bind(messageId).first<{ failing_since: string | null }>()
  expect(failing?.failing_since).toBeNull()
  // Once the resolver answers, the same message's first attempt goes out.
  await consume(messageId, production.env, target.send, resolver('93.184.216.34').resolve)
  expect(await deliveries()).toMatchObject([{ id: messageId, status: 'delivered', attempts: [{ attempt: 1, statusCode: 204 }] }])
})

it('in development, does not resolve: receivers under test listen on loopback', async () => {
  const { messageId, deliveries } = await endpointWithMessage()
  const target = receiver()
  const dns = resolver('10.0.0.5')

  await consume(messageId, env, target.send, dns.resolve)

  expect(dns.asked).toEqual([])
  expect(target.calls).toEqual([URL_])
  expect(await deliveries()).toMatchObject([{ id: messageId, status: 'delivered' }])
})
