import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/bytes'
import type { IdempotencyObject } from '../../../src/idempotency/idempotency-object'
import { call, countRows, json, register, uniqueEmail, PASSWORD } from '../support/api'
import { deferred, fetchWith, middlewareApp } from '../support/test-app'

const post = (path: string, key: string | undefined, body: unknown, token?: string) =>
  new Request(`https://souk.test${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })

/** A route that counts how often it really ran and answers with that count. */
function countingApp(status = 201) {
  const runs = { n: 0 }
  const app = middlewareApp().post('/v1/things', async (c) => {
    runs.n++
    return c.json({ run: runs.n, body: await c.req.json<unknown>() }, status as 201)
  })
  return { app, runs }
}

describe('Idempotency-Key', () => {
  it('replays the first response (status, body, headers) for a repeat and runs nothing again', async () => {
    const { token } = await register('idem')
    const { app, runs } = countingApp()
    const key = crypto.randomUUID()
    const first = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
    const second = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(await second.json()).toEqual(await first.json())
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'))
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'))
    expect(runs.n).toBe(1)
  })

  it('answers 422 idempotency_key_reused when the key comes back with another body, and runs nothing', async () => {
    const { token } = await register('idem-422')
    const { app, runs } = countingApp()
    const key = crypto.randomUUID()
    expect((await fetchWith(app, post('/v1/things', key, { a: 1 }, token))).status).toBe(201)
    const reused = await fetchWith(app, post('/v1/things', key, { a: 2 }, token))
    expect(reused.status).toBe(422)
    expect(await json(reused)).toMatchObject({ code: 'idempotency_key_reused' })
    expect(runs.n).toBe(1)
  })

  it('answers 409 idempotency_request_in_progress while the first request still runs', async () => {
    const { token } = await register('idem-409')
    const gate = deferred()
    const started = deferred()
    let runs = 0
    const app = middlewareApp().post('/v1/slow', async (c) => {
      runs++
      started.resolve()
      await gate.promise
      return c.json({ done: true }, 201)
    })
    const key = crypto.randomUUID()
    const first = fetchWith(app, post('/v1/slow', key, { a: 1 }, token))
    await started.promise
    const second = await fetchWith(app, post('/v1/slow', key, { a: 1 }, token))
    expect(second.status).toBe(409)
    expect(await json(second)).toMatchObject({ code: 'idempotency_request_in_progress' })
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    gate.resolve()
    expect((await first).status).toBe(201)
    const third = await fetchWith(app, post('/v1/slow', key, { a: 1 }, token))
    expect(third.headers.get('idempotent-replayed')).toBe('true')
    expect(runs).toBe(1)
  })

  it('runs exactly once when 100 requests with one key arrive together', async () => {
    const { token } = await register('idem-race')
    const { app, runs } = countingApp()
    const key = crypto.randomUUID()
    const responses = await Promise.all(Array.from({ length: 100 }, () => fetchWith(app, post('/v1/things', key, { same: true }, token))))
    expect(runs.n).toBe(1)
    const originals = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null)
    const replays = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true')
    const inFlight = responses.filter((r) => r.status === 409)
    expect(originals).toHaveLength(1)
    expect(replays.length + inFlight.length).toBe(99)
    for (const r of replays) expect(await r.json()).toEqual({ run: 1, body: { same: true } })
  })

  it('scopes keys to the caller: the same key from two users runs twice', async () => {
    const alice = await register('scope-a')
    const bob = await register('scope-b')
    const { app, runs } = countingApp()
    const key = 'shared-key-0001'
    const a = await fetchWith(app, post('/v1/things', key, { x: 1 }, alice.token))
    const b = await fetchWith(app, post('/v1/things', key, { x: 1 }, bob.token))
    expect(a.headers.get('idempotent-replayed')).toBeNull()
    expect(b.headers.get('idempotent-replayed')).toBeNull()
    expect(runs.n).toBe(2)
  })

  it('frees the key after a 5xx so a retry runs, and keeps the answer of an operation that ran', async () => {
    const { token } = await register('idem-5xx')
    let fail = true
    let runs = 0
    const app = middlewareApp().post('/v1/flaky', (c) => {
      runs++
      if (fail) throw new Error('boom')
      return c.json({ ok: true }, 201)
    })
    const key = crypto.randomUUID()
    expect((await fetchWith(app, post('/v1/flaky', key, {}, token))).status).toBe(500)
    fail = false
    const retry = await fetchWith(app, post('/v1/flaky', key, {}, token))
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(runs).toBe(2)

    const conflictKey = crypto.randomUUID()
    const conflict = middlewareApp().post('/v1/conflict', (c) => c.json({ code: 'sold_out' }, 409))
    expect((await fetchWith(conflict, post('/v1/conflict', conflictKey, {}, token))).status).toBe(409)
    expect((await fetchWith(conflict, post('/v1/conflict', conflictKey, {}, token))).headers.get('idempotent-replayed')).toBe('true')
  })

  it('does not keep a refusal that came before the operation ran (415, 401, 403)', async () => {
    const key = crypto.randomUUID()
    const body = JSON.stringify({ email: uniqueEmail('media'), password: PASSWORD, displayName: 'M' })
    const wrongType = await call('/v1/auth/register', { method: 'POST', headers: { 'idempotency-key': key, 'content-type': 'text/plain' }, body })
    expect(wrongType.status).toBe(415)
    const right = await call('/v1/auth/register', { method: 'POST', headers: { 'idempotency-key': key, 'content-type': 'application/json' }, body })
    expect(right.status).toBe(201)
    expect(right.headers.get('idempotent-replayed')).toBeNull()

    const { token } = await register('refused')
    let allow = false
    let runs = 0
    const guarded = middlewareApp().post('/v1/guarded', (c) => {
      if (!allow) return c.json({ code: 'forbidden' }, 403)
      runs++
      return c.json({ ok: true }, 201)
    })
    const guardedKey = crypto.randomUUID()
    expect((await fetchWith(guarded, post('/v1/guarded', guardedKey, {}, token))).status).toBe(403)
    allow = true
    expect((await fetchWith(guarded, post('/v1/guarded', guardedKey, {}, token))).status).toBe(201)
    expect(runs).toBe(1)
  })

  it('does not keep a validation failure: the corrected request with the same key succeeds', async () => {
    const key = crypto.randomUUID()
    const email = uniqueEmail('fix')
    const bad = await call('/v1/auth/register', { method: 'POST', headers: { 'idempotency-key': key }, json: { email, password: 'short', displayName: 'F' } })
    expect(bad.status).toBe(400)
    const good = await call('/v1/auth/register', { method: 'POST', headers: { 'idempotency-key': key }, json: { email, password: PASSWORD, displayName: 'F' } })
    expect(good.status).toBe(201)
  })

  it('refuses keys that are empty, too long or not visible ASCII', async () => {
    const { token } = await register('idem-bad')
    const { app, runs } = countingApp()
    for (const key of ['', 'x'.repeat(256), 'has space', 'naïve']) {
      const res = await fetchWith(app, post('/v1/things', key, {}, token))
      expect(res.status, JSON.stringify(key)).toBe(400)
      expect(await json(res)).toMatchObject({ code: 'idempotency_key_invalid' })
    }
    expect(runs.n).toBe(0)
    expect((await fetchWith(app, post('/v1/things', 'x'.repeat(255), {}, token))).status).toBe(201)
  })

  it('replays a registration without creating a second user, and keeps the token unreadable at rest', async () => {
    const key = crypto.randomUUID()
    const body = { email: uniqueEmail('replay'), password: PASSWORD, displayName: 'R' }
    const first = await call('/v1/auth/register', { method: 'POST', headers: { 'idempotency-key': key }, json: body })
    const users = await countRows('users')
    const again = await call('/v1/auth/register', { method: 'POST', headers: { 'idempotency-key': key }, json: body })
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const token = (await json<{ token: string }>(first)).token
    expect((await json<{ token: string }>(again)).token).toBe(token)
    expect(await countRows('users')).toBe(users)

    // The record lives in the object named by the caller's scope and key; its storage must not
    // hold the session token (the response is sealed with a key derived from the Idempotency-Key).
    const ids = await listDurableObjectIds(env.IDEMPOTENCY)
    let inspected = 0
    for (const id of ids) {
      const dump = await runInDurableObject(env.IDEMPOTENCY.get(id), (_o: IdempotencyObject, state) => JSON.stringify([...state.storage.kv.list()]))
      expect(dump).not.toContain(token.slice(3))
      expect(dump).not.toContain(body.email)
      inspected++
    }
    expect(inspected).toBeGreaterThan(0)
  })

  it('forgets a key when its retention ends (alarm), after which the key runs again', async () => {
    const { token, user } = await register('idem-ttl')
    const { app, runs } = countingApp()
    const key = crypto.randomUUID()
    await fetchWith(app, post('/v1/things', key, { t: 1 }, token))
    const stub = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(await sha256Hex(`usr:${user.id}\n${key}`)))
    await runInDurableObject(stub, (o: IdempotencyObject) => {
      o.now = () => Date.now() + 24 * 3_600_000 + 1000
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await runInDurableObject(stub, (_o: IdempotencyObject, state) => [...state.storage.kv.list()].length)).toBe(0)
    const after = await fetchWith(app, post('/v1/things', key, { t: 1 }, token))
    expect(after.headers.get('idempotent-replayed')).toBeNull()
    expect(runs.n).toBe(2)
  })
})
