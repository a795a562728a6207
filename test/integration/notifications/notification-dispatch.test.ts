import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import { consumeNotifications } from '../../../src/notifications/notification-dispatch-consumer'
import { deliverNotice } from '../../../src/notifications/notification-consumer'
import { claimDue } from '../../../src/notifications/notification-store'
import type { NotificationJob } from '../../../src/notifications/notification-job'
import type { Notice } from '../../../src/notifications/notification-rules'
import { call, json, register, type Registered } from '../support/api'
import { subscribePush, verifyPhone } from '../support/contact-points'
import { vapidKeyPair } from '../../support/vapid'
import { settingsOf } from '../../../src/config'
import { personalDataOf } from '../../../src/pii/pii-adapters'

/**
 * The notifications queue's consumer in providers mode, inside workerd on real D1: each provider
 * stands behind a scripted fetch, and the queue behind a recorder, so every attempt, retry, ack
 * and re-queue is the test's to drive and see.
 */

type Call = { url: string; headers: Headers; body: string }
type Answer = Response | Error
type Script = (url: string) => Answer

function providers(script: Script) {
  const calls: Call[] = []
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init)
    calls.push({ url: req.url, headers: req.headers, body: await req.text() })
    const answer = script(req.url)
    if (answer instanceof Error) throw answer
    return answer
  }) as typeof fetch
  return { calls, fetchFn }
}

/** Answers in turn for URLs starting with each prefix; the last answer repeats. */
function scripted(answers: Record<string, Answer[]>): Script {
  return (url) => {
    const prefix = Object.keys(answers).find((p) => url.startsWith(p))
    const queue = prefix ? answers[prefix] : undefined
    if (!queue || queue.length === 0) throw new Error(`no scripted answer for ${url}`)
    return (queue.length > 1 ? queue.shift() : queue[0]) as Answer
  }
}

const ok = (body: unknown = {}, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/** Jobs the consumer and deliverNotice put on the queue, kept instead of sent. */
function recordingQueue() {
  const sent: Array<{ body: NotificationJob; delaySeconds?: number }> = []
  return {
    sent,
    queue: {
      send: (body: NotificationJob, o?: { delaySeconds?: number }) => Promise.resolve(void sent.push({ body, delaySeconds: o?.delaySeconds })),
      sendBatch: (msgs: Array<{ body: NotificationJob; delaySeconds?: number }>) => Promise.resolve(void sent.push(...msgs.map((m) => ({ body: m.body, delaySeconds: m.delaySeconds })))),
    },
  }
}

const LIMITS = { email: { limit: 1000, windowSeconds: 1 }, sms: { limit: 1000, windowSeconds: 1 }, push: { limit: 1000, windowSeconds: 1 } }

const VAPID = await vapidKeyPair()

/** This worker's env in providers mode (Resend, Twilio, web push), with retries unscaled. */
function providerEnv(queue: ReturnType<typeof recordingQueue>, over: Record<string, unknown> = {}): Env {
  return {
    ...env,
    NOTIFICATION_DELIVERY: 'providers',
    RESEND_API_BASE: 'https://resend.test',
    RESEND_API_KEY: 're_test_dispatch',
    TWILIO_API_BASE: 'https://twilio.test',
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'twilio-token',
    SMS_FROM: '+15005550006',
    VAPID_PUBLIC_KEY: VAPID.publicKey,
    VAPID_PRIVATE_KEY: VAPID.privateKey,
    VAPID_SUBJECT: 'mailto:ops@souk.test',
    QUEUE_RETRY_SCALE: '1',
    NOTIFICATION_RATE_LIMITS: JSON.stringify(LIMITS),
    NOTIFICATIONS: queue.queue,
    ...over,
  } as unknown as Env
}

type Outcome = { acked: number; retried: Array<{ delaySeconds?: number }> }

/** One queue message through the consumer; answers what it did with it. */
async function consume(e: Env, job: NotificationJob, fetchFn: typeof fetch, lines: string[] = []): Promise<Outcome> {
  const outcome: Outcome = { acked: 0, retried: [] }
  const msg = { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: job, ack: () => void outcome.acked++, retry: (o?: QueueRetryOptions) => void outcome.retried.push({ delaySeconds: o?.delaySeconds }) }
  const batch = { queue: 'souk-notifications', messages: [msg], metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } }, ackAll: () => {}, retryAll: () => {} } as unknown as MessageBatch<unknown>
  const log = createLogger({ sink: (line) => lines.push(line), now: () => new Date(), level: 'debug' })
  await consumeNotifications(batch, e, log, fetchFn)
  return outcome
}

/** A payment notice (no quiet hours, no digest) planned for `u`; answers the job queued for `channel`. */
async function planned(e: Env, queue: ReturnType<typeof recordingQueue>, u: Registered, channel: NotificationJob['channel']): Promise<NotificationJob> {
  const notice: Notice = { userId: u.user.id, type: 'order.paid', category: 'payment', title: 'Payment received', body: 'Order ord_1 is paid.', data: { orderId: 'ord_1' }, throttleKey: null }
  await deliverNotice(e, { id: `evt_${crypto.randomUUID()}`, at: new Date() }, notice, new Date())
  const job = queue.sent.find((j) => j.body.userId === u.user.id && j.body.channel === channel)?.body
  if (!job) throw new Error(`no ${channel} job planned for ${u.user.id}`)
  return job
}

/** What notification_sends keeps of an address: its keyed hash (pii/blind-index.ts), never the address. */
const hashOf = (channel: string, address: string) => personalDataOf(settingsOf(env)).addressHash(channel, address)
const sends = async (userId: string) =>
  (await env.DB.prepare('SELECT channel, address, outcome, provider_ref, detail FROM notification_sends WHERE user_id = ? ORDER BY at, address').bind(userId).all<{ channel: string; address: string; outcome: string; provider_ref: string | null; detail: string | null }>()).results
const unsent = async (userId: string, channel: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM notification_dispatches WHERE user_id = ? AND channel = ? AND sent_at IS NULL').bind(userId, channel).first<{ n: number }>())?.n

describe('sending through the providers', () => {
  it('e-mail: a 500 releases the claim and retries; the retry sends it once, under the same idempotency key; a redelivery sends nothing', async () => {
    const u = await register('mail')
    const queue = recordingQueue()
    const p = providers(scripted({ 'https://resend.test/': [new Response('boom', { status: 500 }), ok({ id: 'em_42' })] }))
    const e = providerEnv(queue)
    const job = await planned(e, queue, u, 'email')

    const first = await consume(e, job, p.fetchFn)
    expect(first).toEqual({ acked: 0, retried: [{ delaySeconds: expect.any(Number) }] })
    expect(await unsent(u.user.id, 'email')).toBe(1) // claim released: the retry can take it
    expect(await sends(u.user.id)).toEqual([])

    expect(await consume(e, job, p.fetchFn)).toEqual({ acked: 1, retried: [] })
    expect(p.calls).toHaveLength(2)
    expect(new Set(p.calls.map((c) => c.headers.get('idempotency-key')))).toEqual(new Set([`${job.notificationId}:email`]))
    expect(JSON.parse(p.calls[1]!.body)).toMatchObject({ to: [u.user.email], subject: 'Payment received', text: 'Order ord_1 is paid.' })
    expect(await sends(u.user.id)).toEqual([{ channel: 'email', address: await hashOf('email', u.user.email), outcome: 'sent', provider_ref: 'em_42', detail: null }])

    expect(await consume(e, job, p.fetchFn)).toEqual({ acked: 1, retried: [] })
    expect(p.calls).toHaveLength(2)
  })

  it('waits at least as long as the provider’s Retry-After', async () => {
    const u = await register('mail')
    const queue = recordingQueue()
    const p = providers(scripted({ 'https://resend.test/': [ok({ name: 'rate_limit_exceeded' }, 429, { 'retry-after': '120' })] }))
    const e = providerEnv(queue)
    const outcome = await consume(e, await planned(e, queue, u, 'email'), p.fetchFn)
    expect(outcome.acked).toBe(0)
    expect(outcome.retried[0]?.delaySeconds).toBeGreaterThanOrEqual(120)
  })

  it('a refusal is kept and not retried, and the log holds no address', async () => {
    const u = await register('mail')
    const queue = recordingQueue()
    const p = providers(scripted({ 'https://resend.test/': [ok({ name: 'validation_error', message: `Invalid \`to\` field: ${u.user.email}` }, 422)] }))
    const e = providerEnv(queue)
    const lines: string[] = []
    expect(await consume(e, await planned(e, queue, u, 'email'), p.fetchFn, lines)).toEqual({ acked: 1, retried: [] })
    // The provider's reason quoted the address: it is kept without it.
    expect(await sends(u.user.id)).toEqual([{ channel: 'email', address: await hashOf('email', u.user.email), outcome: 'refused', provider_ref: null, detail: 'Invalid `to` field: [address]' }])
    expect(lines.some((l) => l.includes('notification_refused'))).toBe(true)
    expect(lines.join('\n')).not.toContain(u.user.email)
  })

  it('push to three browsers: one gets it, one is gone and forgotten, one is busy; the retry goes to the busy one only', async () => {
    const u = await register('push')
    const [a, b, c] = [await subscribePush(u), await subscribePush(u), await subscribePush(u)]
    const queue = recordingQueue()
    const p = providers(scripted({ [a.endpoint]: [new Response(null, { status: 201, headers: { location: 'https://push.example.net/m/1' } })], [b.endpoint]: [new Response(null, { status: 410 })], [c.endpoint]: [new Response(null, { status: 503 }), new Response(null, { status: 201 })] }))
    const e = providerEnv(queue)
    const job = await planned(e, queue, u, 'push')

    const first = await consume(e, job, p.fetchFn)
    expect(first.acked).toBe(0)
    expect(first.retried).toHaveLength(1)
    const [ha, hb, hc] = await Promise.all([a, b, c].map((s) => hashOf('push', s.id)))
    expect((await sends(u.user.id)).map((s) => [s.address, s.outcome])).toEqual(expect.arrayContaining([[ha, 'sent'], [hb, 'gone']]))
    const listed = await json<{ data: { id: string }[] }>(await call('/v1/me/push-subscriptions', { token: u.token }))
    expect(listed.data.map((s) => s.id).sort()).toEqual([a.id, c.id].sort())

    const before = p.calls.length
    expect(await consume(e, job, p.fetchFn)).toEqual({ acked: 1, retried: [] })
    expect(p.calls.slice(before).map((x) => x.url)).toEqual([c.endpoint])
    expect((await sends(u.user.id)).map((s) => [s.address, s.outcome]).sort()).toEqual([[ha, 'sent'], [hb, 'gone'], [hc, 'sent']].sort())
  })

  it('SMS: a number that sent STOP is forgotten, and the message is not retried', async () => {
    const u = await register('sms')
    const phone = await verifyPhone(u)
    const queue = recordingQueue()
    const p = providers(scripted({ 'https://twilio.test/': [ok({ code: 21610, message: 'Attempt to send to unsubscribed recipient' }, 400)] }))
    const e = providerEnv(queue)
    expect(await consume(e, await planned(e, queue, u, 'sms'), p.fetchFn)).toEqual({ acked: 1, retried: [] })
    expect(new URLSearchParams(p.calls[0]?.body).get('To')).toBe(phone)
    expect(await json<{ phone: string | null }>(await call('/v1/me/phone', { token: u.token }))).toMatchObject({ phone: null })
    expect(await sends(u.user.id)).toEqual([{ channel: 'sms', address: await hashOf('sms', phone), outcome: 'gone', provider_ref: null, detail: 'gone (400)' }])
  })

  it('a provider’s rate limit re-queues the rest for when the quota allows, without spending a retry', async () => {
    const u = await register('push')
    const origin = `https://push-${crypto.randomUUID()}.example.net`
    const [a, b] = [await subscribePush(u, `${origin}/one`), await subscribePush(u, `${origin}/two`)]
    const queue = recordingQueue()
    const p = providers(() => new Response(null, { status: 201 }))
    const e = providerEnv(queue, { NOTIFICATION_RATE_LIMITS: JSON.stringify({ ...LIMITS, push: { limit: 1, windowSeconds: 60 } }) })
    const job = await planned(e, queue, u, 'push')
    const queuedBefore = queue.sent.length

    expect(await consume(e, job, p.fetchFn)).toEqual({ acked: 1, retried: [] })
    expect(p.calls).toHaveLength(1) // one unit of the push service's quota: one browser
    const [sent] = await sends(u.user.id)
    expect(await Promise.all([a, b].map((s) => hashOf('push', s.id)))).toContain(sent?.address)
    expect(await unsent(u.user.id, 'push')).toBe(1)
    const requeued = queue.sent.slice(queuedBefore)
    expect(requeued).toHaveLength(1)
    expect(requeued[0]?.body).toMatchObject({ kind: 'send', notificationId: job.notificationId, channel: 'push' })
    expect(requeued[0]?.delaySeconds).toBeGreaterThanOrEqual(50) // a 1-per-minute quota
    expect(requeued[0]?.delaySeconds).toBeLessThanOrEqual(60)
  })

  it('a sender that died holding a claim: the redelivered job waits for its lease, then sends', async () => {
    const u = await register('lease')
    const queue = recordingQueue()
    const e = providerEnv(queue)
    const job = await planned(e, queue, u, 'email')
    // Another sender claimed it and died before sending (its isolate was evicted mid-send).
    const now = new Date()
    expect(await claimDue(env.DB, { userId: u.user.id, channel: 'email', notificationId: job.notificationId }, now.toISOString(), new Date(now.getTime() + 300_000).toISOString())).toHaveLength(1)
    const p = providers(() => ok({ id: 'em_late' }))
    const early = await consume(e, job, p.fetchFn)
    expect(early.acked).toBe(0)
    expect(early.retried[0]?.delaySeconds).toBeGreaterThanOrEqual(290) // back when the lease ends, not acked as done
    expect(p.calls).toHaveLength(0)
    // The lease runs out.
    await env.DB.prepare('UPDATE notification_dispatches SET claimed_until = ? WHERE notification_id = ?').bind(new Date(now.getTime() - 1000).toISOString(), job.notificationId).run()
    expect(await consume(e, job, p.fetchFn)).toEqual({ acked: 1, retried: [] })
    expect(p.calls).toHaveLength(1)
    expect(await unsent(u.user.id, 'email')).toBe(0)
  })

  it('a digest retried with a notice more: each browser gets only what it has not had', async () => {
    const u = await register('digest')
    const [a, b] = [await subscribePush(u), await subscribePush(u)]
    const queue = recordingQueue()
    const e = providerEnv(queue)
    const digestNotice = (n: number): Notice => ({ userId: u.user.id, type: 'offer.received', category: 'activity', title: `Offer ${n}`, body: `Offer ${n} came in.`, data: {}, throttleKey: null })
    expect((await call('/v1/me/notification-preferences', { method: 'PUT', token: u.token, json: { digest: 'hourly' } })).status).toBe(200)
    const past = new Date(Date.now() - 1000).toISOString()
    for (const n of [1, 2]) await deliverNotice(e, { id: `evt_${crypto.randomUUID()}`, at: new Date() }, digestNotice(n), new Date())
    await env.DB.prepare('UPDATE notification_dispatches SET due_at = ? WHERE user_id = ?').bind(past, u.user.id).run()
    const job: NotificationJob = { kind: 'digest', userId: u.user.id, channel: 'push', notificationId: null, dueAt: past }
    const p = providers(scripted({ [a.endpoint]: [new Response(null, { status: 201 })], [b.endpoint]: [new Response(null, { status: 503 }), new Response(null, { status: 201 })] }))
    const first = await consume(e, job, p.fetchFn)
    expect(first.retried).toHaveLength(1) // b was busy

    // Before the retry, the next hour's notice is due too.
    await deliverNotice(e, { id: `evt_${crypto.randomUUID()}`, at: new Date() }, digestNotice(3), new Date())
    await env.DB.prepare('UPDATE notification_dispatches SET due_at = ? WHERE user_id = ?').bind(past, u.user.id).run()
    expect(await consume(e, job, p.fetchFn)).toEqual({ acked: 1, retried: [] })
    const [toA, toB] = [a, b].map((s) => p.calls.filter((c) => c.url === s.endpoint).length)
    expect([toA, toB]).toEqual([2, 2])
    const rows = (await sends(u.user.id)).filter((r) => r.outcome === 'sent')
    const [ha, hb] = await Promise.all([a, b].map((s) => hashOf('push', s.id)))
    const got = (hash: string) => rows.filter((r) => r.address === hash).length
    expect([got(ha!), got(hb!)]).toEqual([3, 3]) // each browser has each notice once: a got 1+2, then 3 alone; b got 1+2+3
    expect(await unsent(u.user.id, 'push')).toBe(0)
  })

  it('a channel whose provider was removed after planning is dropped, not retried forever', async () => {
    const u = await register('sms')
    await verifyPhone(u)
    const queue = recordingQueue()
    const job = await planned(providerEnv(queue), queue, u, 'sms')
    const p = providers(() => ok())
    const lines: string[] = []
    const withoutTwilio = providerEnv(queue, { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, SMS_FROM: undefined })
    expect(await consume(withoutTwilio, job, p.fetchFn, lines)).toEqual({ acked: 1, retried: [] })
    expect(p.calls).toHaveLength(0)
    expect(lines.some((l) => l.includes('notification_channel_unavailable'))).toBe(true)
  })
})
