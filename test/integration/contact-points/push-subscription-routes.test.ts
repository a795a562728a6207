import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../../../src/core/bytes'
import { createBrowserSubscription } from '../../support/web-push-receiver'
import { BASE, call, json, register, type Registered } from '../support/api'
import { vapidKeyPair } from '../../support/vapid'
import worker from '../../../src/index'
import { createExecutionContext } from 'cloudflare:test'

type Subscription = { id: string; endpoint: string; createdAt: string }
type Listing = { applicationServerKey: string | null; data: Subscription[] }
type Problem = { status: number; code: string; errors?: { in: string; path: string; message: string }[] }
type Body = { endpoint: string; expirationTime?: number | null; keys: { p256dh: string; auth: string } } & Record<string, unknown>

const PATH = '/v1/me/push-subscriptions'
const freshEndpoint = () => `https://push.example.net/wpush/v2/${crypto.randomUUID()}`

/** A browser's PushSubscription.toJSON(), with real P-256 keys. */
async function browserBody(endpoint = freshEndpoint()): Promise<Body> {
  const browser = await createBrowserSubscription(endpoint)
  return { endpoint, expirationTime: null, keys: { p256dh: browser.keys.p256dh, auth: browser.keys.auth } }
}

const subscribe = (u: Registered, body: unknown) => call(PATH, { method: 'POST', token: u.token, json: body })
const list = async (u: Registered) => json<Listing>(await call(PATH, { token: u.token }))
const rowsOf = async (u: Registered) =>
  (await env.DB.prepare('SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id').bind(u.user.id).all<{ id: string; endpoint: string; p256dh: string; auth: string; created_at: string }>()).results

async function subscribed(u: Registered, endpoint = freshEndpoint()): Promise<Subscription> {
  const res = await subscribe(u, await browserBody(endpoint))
  expect(res.status).toBe(201)
  return json<Subscription>(res)
}

/** Sets when a subscription was made, as if it had been made then (creation times in one test may share a millisecond). */
const madeAt = (id: string, at: Date) => env.DB.prepare('UPDATE push_subscriptions SET created_at = ? WHERE id = ?').bind(at.toISOString(), id).run()
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000)

describe('POST /v1/me/push-subscriptions', () => {
  it('registers a browser: 201 with its id, endpoint and time; the keys are stored for encrypting to it', async () => {
    const u = await register('push')
    const body = await browserBody()
    const res = await subscribe(u, body)
    expect(res.status).toBe(201)
    const created = await json<Subscription>(res)
    expect(created).toEqual({ id: expect.stringMatching(/^psh_[0-9a-z]{26}$/), endpoint: body.endpoint, createdAt: expect.any(String) })
    expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false)
    expect(await rowsOf(u)).toEqual([expect.objectContaining({ id: created.id, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth })])
  })

  it('answers 200 with the same id when the same endpoint comes again, and takes its new keys', async () => {
    const u = await register('push-again')
    const first = await browserBody()
    const created = await json<Subscription>(await subscribe(u, first))
    const renewed = await browserBody(first.endpoint) // the browser re-subscribed: new keys, same endpoint

    const res = await subscribe(u, renewed)
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({ id: created.id, endpoint: first.endpoint, createdAt: expect.any(String) })
    expect(await rowsOf(u)).toEqual([expect.objectContaining({ id: created.id, p256dh: renewed.keys.p256dh, auth: renewed.keys.auth })])
    expect((await list(u)).data.map((s) => s.id)).toEqual([created.id])
  })

  it.each([
    ['p256dh too short (a compressed 33-byte point)', (b: Body) => ({ ...b.keys, p256dh: toBase64Url(new Uint8Array(33).fill(2)) })],
    ['p256dh of 65 bytes that is not an uncompressed point', (b: Body) => ({ ...b.keys, p256dh: toBase64Url(new Uint8Array(65).fill(7)) })],
    ['p256dh not base64url', (b: Body) => ({ ...b.keys, p256dh: `${b.keys.p256dh.slice(0, -4)}!*#$` })],
    ['auth of 8 bytes', (b: Body) => ({ ...b.keys, auth: toBase64Url(crypto.getRandomValues(new Uint8Array(8))) })],
    ['auth of 17 bytes', (b: Body) => ({ ...b.keys, auth: toBase64Url(crypto.getRandomValues(new Uint8Array(17))) })],
    ['auth not base64url', (b: Body) => ({ ...b.keys, auth: 'not base64 at all' })],
  ])('refuses keys with %s: 400 at path keys, nothing stored', async (_, keysOf) => {
    const u = await register('push-keys')
    const good = await browserBody()
    const res = await subscribe(u, { ...good, keys: keysOf(good) })
    expect(res.status).toBe(400)
    const problem = await json<Problem>(res)
    expect(problem.code).toBe('validation_failed')
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'body', path: 'keys' })])
    expect(await rowsOf(u)).toEqual([])
  })

  it.each([
    'ftp://x',
    'not a url',
    'http://10.0.0.1/x',
    'https://10.0.0.1/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:192.168.0.1]/x',
    'https://user:pw@push.example.net/x',
    'http://push.example.net/x',
    'https://push.internal/x',
  ])('refuses the endpoint %j with 422 invalid_push_endpoint, nothing stored', async (endpoint) => {
    const u = await register('push-endpoint')
    const res = await subscribe(u, await browserBody(endpoint))
    expect(res.status).toBe(422)
    expect(await json(res)).toMatchObject({ status: 422, code: 'invalid_push_endpoint' })
    expect(await rowsOf(u)).toEqual([])
  })

  it('takes http and https to loopback in development, where a receiver under test listens', async () => {
    const u = await register('push-loopback')
    const endpoints = [`http://127.0.0.1:9871/push/${crypto.randomUUID()}`, `https://localhost/push/${crypto.randomUUID()}`, `http://[::1]:9871/push/${crypto.randomUUID()}`]
    for (const endpoint of endpoints) {
      const res = await subscribe(u, await browserBody(endpoint))
      expect(res.status, endpoint).toBe(201)
    }
    expect((await rowsOf(u)).map((r) => r.endpoint).sort()).toEqual([...endpoints].sort())
  })

  it('keeps a person’s ten newest browsers: the eleventh replaces the oldest', async () => {
    const u = await register('push-eleven')
    const first10: Subscription[] = []
    for (let i = 0; i < 10; i++) first10.push(await subscribed(u))
    // Made a minute apart, the first the oldest.
    for (const [i, s] of first10.entries()) await madeAt(s.id, minutesAgo(20 - i))
    expect((await list(u)).data.map((s) => s.id)).toEqual(first10.map((s) => s.id).reverse())

    const eleventh = await subscribed(u)
    const kept = (await list(u)).data.map((s) => s.id)
    expect(kept).toEqual([eleventh.id, ...first10.slice(1).map((s) => s.id).reverse()])
    expect((await rowsOf(u)).map((r) => r.id)).not.toContain(first10[0]!.id)
  })

  it('keeps the browser just subscribed even when the others’ times say they are newer (clock skew)', async () => {
    const u = await register('push-skew')
    const first10: Subscription[] = []
    for (let i = 0; i < 10; i++) first10.push(await subscribed(u))
    // Stamped ahead of the clock that stamps the next one, the first the least ahead.
    for (const [i, s] of first10.entries()) await madeAt(s.id, minutesAgo(-10 - i))
    const eleventh = await subscribed(u)
    const kept = (await rowsOf(u)).map((r) => r.id)
    expect(kept).toHaveLength(10)
    expect(kept).toContain(eleventh.id)
    expect(kept).not.toContain(first10[0]!.id)
  })

  it('keeps at most ten when fifteen browsers subscribe at once', async () => {
    const u = await register('push-race')
    const bodies = await Promise.all(Array.from({ length: 15 }, () => browserBody()))
    const answers = await Promise.all(bodies.map((b) => subscribe(u, b)))
    expect(answers.map((r) => r.status)).toEqual(Array(15).fill(201))
    const created = await Promise.all(answers.map((r) => json<Subscription>(r)))
    const kept = await rowsOf(u)
    expect(kept).toHaveLength(10)
    expect(created.map((c) => c.id)).toEqual(expect.arrayContaining(kept.map((r) => r.id)))
  })

  it('does not count or drop another person’s browsers', async () => {
    const u = await register('push-mine')
    const other = await register('push-theirs')
    const theirs = await subscribed(other)
    await madeAt(theirs.id, minutesAgo(60))
    for (let i = 0; i < 11; i++) await subscribed(u)
    expect(await rowsOf(u)).toHaveLength(10)
    expect((await list(other)).data.map((s) => s.id)).toEqual([theirs.id])
  })

  it('moves a browser to whoever subscribes it last: the endpoint is one browser, with one person on it', async () => {
    const before = await register('push-before')
    const after = await register('push-after')
    const first = await subscribed(before)
    const again = await browserBody(first.endpoint)
    const res = await subscribe(after, again)
    expect(res.status).toBe(200)
    expect((await json<Subscription>(res)).id).toBe(first.id)
    expect((await list(before)).data).toEqual([])
    expect((await list(after)).data.map((s) => s.id)).toEqual([first.id])
    expect(await rowsOf(after)).toEqual([expect.objectContaining({ id: first.id, p256dh: again.keys.p256dh, auth: again.keys.auth })])
  })

  it.each([
    [{ name: 'my laptop' }, 'name'],
    [{ keys: { extra: 'x' } }, 'keys.extra'],
  ])('refuses an unknown field %j with 400 at its path', async (extra, path) => {
    const u = await register('push-unknown')
    const good = await browserBody()
    const body = 'keys' in extra ? { ...good, keys: { ...good.keys, ...extra.keys } } : { ...good, ...extra }
    const res = await subscribe(u, body)
    expect(res.status).toBe(400)
    expect(await json(res)).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ in: 'body', path })] })
    expect(await rowsOf(u)).toEqual([])
  })
})

describe('GET /v1/me/push-subscriptions', () => {
  it('hands pages the VAPID public key they subscribe with, where push is set up', async () => {
    const u = await register('push-key')
    const vapid = await vapidKeyPair()
    const withPush = { ...env, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@souk.test' } as Env
    const res = await worker.fetch(new Request(`${BASE}${PATH}`, { headers: { authorization: `Bearer ${u.token}` } }), withPush, createExecutionContext())
    expect(await json<Listing>(res)).toEqual({ applicationServerKey: vapid.publicKey, data: [] })
  })

  it('lists the caller’s browsers newest first (locally without a VAPID key: the outbox needs none)', async () => {
    const u = await register('push-list')
    const other = await register('push-list-other')
    expect(await list(u)).toEqual({ applicationServerKey: null, data: [] })
    const made = [await subscribed(u), await subscribed(u), await subscribed(u)]
    await subscribed(other)
    // Made out of id order: the middle one oldest, the first newest.
    const [newest, middle, oldest] = [minutesAgo(10), minutesAgo(20), minutesAgo(30)]
    await madeAt(made[1]!.id, oldest)
    await madeAt(made[2]!.id, middle)
    await madeAt(made[0]!.id, newest)

    const listed = await list(u)
    expect(listed.data.map((s) => s.id)).toEqual([made[0]!.id, made[2]!.id, made[1]!.id])
    // Only what a person recognises a browser by; never the keys that encrypt to it.
    expect(listed.data[0]).toEqual({ id: made[0]!.id, endpoint: made[0]!.endpoint, createdAt: newest.toISOString() })
  })
})

describe('DELETE /v1/me/push-subscriptions/{id}', () => {
  it('removes the caller’s own browser: 204, gone from the list, then 404', async () => {
    const u = await register('push-delete')
    const kept = await subscribed(u)
    const gone = await subscribed(u)
    const res = await call(`${PATH}/${gone.id}`, { method: 'DELETE', token: u.token })
    expect(res.status).toBe(204)
    expect((await list(u)).data.map((s) => s.id)).toEqual([kept.id])
    expect((await rowsOf(u)).map((r) => r.id)).toEqual([kept.id])
    expect((await call(`${PATH}/${gone.id}`, { method: 'DELETE', token: u.token })).status).toBe(404)
  })

  it('answers 404 for someone else’s subscription and leaves it in place', async () => {
    const owner = await register('push-owner')
    const stranger = await register('push-stranger')
    const theirs = await subscribed(owner)
    const res = await call(`${PATH}/${theirs.id}`, { method: 'DELETE', token: stranger.token })
    expect(res.status).toBe(404)
    expect(await json(res)).toMatchObject({ code: 'not_found' })
    expect((await list(owner)).data.map((s) => s.id)).toEqual([theirs.id])
    expect((await rowsOf(owner)).map((r) => r.id)).toEqual([theirs.id])
  })

  it('answers 400 at path id for something that is not a subscription id', async () => {
    const u = await register('push-bad-id')
    const res = await call(`${PATH}/not-an-id`, { method: 'DELETE', token: u.token })
    expect(res.status).toBe(400)
    expect(await json(res)).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ in: 'path', path: 'id' })] })
  })
})

describe('who may manage push subscriptions', () => {
  it('refuses an API key with 403 on every route, and changes nothing', async () => {
    const u = await register('push-key')
    const mine = await subscribed(u)
    const created = await call('/v1/api-keys', { method: 'POST', token: u.token, json: { name: 'push sync', scopes: ['account:read', 'notifications:read'] } })
    expect(created.status).toBe(201)
    const { key } = await json<{ key: string }>(created)
    expect((await call('/v1/me', { token: key })).status).toBe(200)
    const before = await rowsOf(u)
    const attempts = [
      call(PATH, { token: key }),
      call(PATH, { method: 'POST', token: key, json: await browserBody() }),
      call(`${PATH}/${mine.id}`, { method: 'DELETE', token: key }),
    ]
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403)
      expect(await json(res)).toMatchObject({ code: 'forbidden' })
    }
    expect(await rowsOf(u)).toEqual(before)
  })

  it('answers 401 to nobody', async () => {
    const u = await register('push-anon')
    const mine = await subscribed(u)
    const attempts = [call(PATH), call(PATH, { method: 'POST', json: await browserBody() }), call(`${PATH}/${mine.id}`, { method: 'DELETE' })]
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401)
      expect(await json(res)).toMatchObject({ code: 'unauthenticated' })
    }
    expect((await rowsOf(u)).map((r) => r.id)).toEqual([mine.id])
  })
})
