import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { IdempotencyObject } from '../../../src/idempotency/idempotency-object'
import type { BeginOutcome } from '../../../src/idempotency/idempotency-record'
import { call, countRows, json, register, uniqueEmail, PASSWORD } from '../support/api'
import { deferred, fetchWith, middlewareApp } from '../support/test-app'

type RecordMethod = 'begin' | 'complete' | 'abandon'
/** What one call to the record does: go through, fail before reaching it, land and then lose its answer, or be refused as overloaded. */
type Fault = 'ok' | 'lost' | 'lostAfter' | 'overloaded'

const lostError = () => Object.assign(new Error('Network connection lost.'), { retryable: true })
const overloadedError = () => Object.assign(new Error('Durable Object is overloaded. Too many requests queued.'), { retryable: true, overloaded: true })

/**
 * The real IDEMPOTENCY namespace, with stubs whose `begin`, `complete` and `abandon` fail as `plan` says for the n-th
 * call (from 1) of each method; every call is counted, whatever it did.
 */
function faultyRecords(plan: Partial<Record<RecordMethod, (n: number) => Fault>>) {
  const calls: Record<RecordMethod, number> = { begin: 0, complete: 0, abandon: 0 }
  const real = env.IDEMPOTENCY
  const through = async <T>(method: RecordMethod, call: () => Promise<T>): Promise<T> => {
    const n = ++calls[method]
    const fault = plan[method]?.(n) ?? 'ok'
    if (fault === 'lost') throw lostError()
    if (fault === 'overloaded') throw overloadedError()
    const result = await call()
    if (fault === 'lostAfter') throw lostError()
    return result
  }
  const namespace = new Proxy(real, {
    get(target, prop) {
      if (prop === 'get') {
        return (id: DurableObjectId) => {
          const stub = target.get(id)
          return {
            begin: (...args: Parameters<IdempotencyObject['begin']>) => through('begin', async (): Promise<BeginOutcome> => stub.begin(...args)),
            complete: (...args: Parameters<IdempotencyObject['complete']>) => through('complete', () => stub.complete(...args)),
            abandon: (...args: Parameters<IdempotencyObject['abandon']>) => through('abandon', () => stub.abandon(...args)),
          }
        }
      }
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
  return { overrides: { IDEMPOTENCY: namespace }, calls }
}

const always = (fault: Fault) => () => fault
/** The object that keeps a caller's keys: one per caller. */
const recordStub = (userId: string) => env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`usr:${userId}`))

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

  it("never replays one credential's answer to another: a low-scope API key resending a session's key and body is authorized afresh", async () => {
    const owner = await register('scope-cred')
    const created = await call('/v1/api-keys', { method: 'POST', token: owner.token, json: { name: 'read only', scopes: ['account:read'] } })
    const readOnly = await json<{ key: string }>(created)
    const key = 'mint-a-full-key-0001'
    const body = { name: 'full', scopes: ['account:read', 'payouts:write'] }
    const minted = await call('/v1/api-keys', { method: 'POST', token: owner.token, headers: { 'idempotency-key': key }, json: body })
    expect(minted.status).toBe(201)
    const secret = (await json<{ key: string }>(minted)).key

    const resent = await call('/v1/api-keys', { method: 'POST', token: readOnly.key, headers: { 'idempotency-key': key }, json: body })
    expect(resent.status).toBe(403)
    expect(resent.headers.get('idempotent-replayed')).toBeNull()
    expect(await resent.text()).not.toContain(secret)
    // The session that sent it still gets its own answer back.
    const again = await call('/v1/api-keys', { method: 'POST', token: owner.token, headers: { 'idempotency-key': key }, json: body })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect((await json<{ key: string }>(again)).key).toBe(secret)
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

    // The record lives in the object of the caller's scope; its storage must not hold the session
    // token (the response is sealed with a key derived from the Idempotency-Key).
    const ids = await listDurableObjectIds(env.IDEMPOTENCY)
    let inspected = 0
    for (const id of ids) {
      const dump = await runInDurableObject(env.IDEMPOTENCY.get(id), (_o: IdempotencyObject, state) => JSON.stringify(state.storage.sql.exec('SELECT * FROM records').toArray()))
      expect(dump).not.toContain(token.slice(3))
      expect(dump).not.toContain(body.email)
      inspected++
    }
    expect(inspected).toBeGreaterThan(0)
  })

  describe('when the key\'s object fails transiently', () => {
    it('returns the decided 201 when complete fails every time; the key stays in flight until its lease ends, then runs again', async () => {
      const { token, user } = await register('idem-complete-down')
      const { app, runs } = countingApp()
      const key = crypto.randomUUID()
      const faulty = faultyRecords({ complete: always('lost') })

      const res = await fetchWith(app, post('/v1/things', key, { a: 1 }, token), faulty.overrides)

      expect(res.status).toBe(201)
      expect(await res.json()).toEqual({ run: 1, body: { a: 1 } })
      expect(faulty.calls.complete).toBe(3) // retried, then given up on without touching the answer
      const meanwhile = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
      expect(meanwhile.status).toBe(409)
      await runInDurableObject(recordStub(user.id), (o: IdempotencyObject) => {
        o.now = () => Date.now() + 61_000 // past IDEMPOTENCY_LEASE_SECONDS
      })
      const after = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
      expect(after.status).toBe(201)
      expect(after.headers.get('idempotent-replayed')).toBeNull()
      expect(runs.n).toBe(2)
    })

    it('stores the answer when complete fails twice and then succeeds, so a repeat is replayed', async () => {
      const { token } = await register('idem-complete-flaky')
      const { app, runs } = countingApp()
      const key = crypto.randomUUID()
      const faulty = faultyRecords({ complete: (n) => (n <= 2 ? 'lost' : 'ok') })

      const first = await fetchWith(app, post('/v1/things', key, { a: 1 }, token), faulty.overrides)
      const again = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))

      expect(first.status).toBe(201)
      expect(faulty.calls.complete).toBe(3)
      expect(again.status).toBe(201)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(await again.json()).toEqual(await first.json())
      expect(runs.n).toBe(1)
    })

    it('answers 503 service_unavailable with Retry-After when begin fails every time, runs nothing, and leaves the key free', async () => {
      const { token } = await register('idem-begin-down')
      const { app, runs } = countingApp()
      const key = crypto.randomUUID()
      const faulty = faultyRecords({ begin: always('lost') })

      const res = await fetchWith(app, post('/v1/things', key, { a: 1 }, token), faulty.overrides)

      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      expect(await json(res)).toMatchObject({ status: 503, code: 'service_unavailable' })
      expect(faulty.calls.begin).toBe(3)
      expect(runs.n).toBe(0)
      const retry = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
      expect(retry.status).toBe(201)
      expect(retry.headers.get('idempotent-replayed')).toBeNull()
      expect(runs.n).toBe(1)
    })

    it('proceeds once when begin landed but its answer was lost: the retry is the same claim and the route runs once', async () => {
      const { token } = await register('idem-begin-lost')
      const { app, runs } = countingApp()
      const key = crypto.randomUUID()
      const faulty = faultyRecords({ begin: (n) => (n === 1 ? 'lostAfter' : 'ok') })

      const res = await fetchWith(app, post('/v1/things', key, { a: 1 }, token), faulty.overrides)

      expect(res.status).toBe(201)
      expect(res.headers.get('idempotent-replayed')).toBeNull()
      expect(faulty.calls.begin).toBe(2)
      expect(runs.n).toBe(1)
      const again = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(runs.n).toBe(1)
    })

    it('frees a claim that landed unseen when begin never answers, so the client\'s retry runs instead of waiting out the lease', async () => {
      const { token } = await register('idem-begin-unseen')
      const { app, runs } = countingApp()
      const key = crypto.randomUUID()
      const faulty = faultyRecords({ begin: always('lostAfter') })

      expect((await fetchWith(app, post('/v1/things', key, { a: 1 }, token), faulty.overrides)).status).toBe(503)
      expect(faulty.calls.abandon).toBe(1)
      expect(runs.n).toBe(0)
      const retry = await fetchWith(app, post('/v1/things', key, { a: 1 }, token))
      expect(retry.status).toBe(201)
      expect(runs.n).toBe(1)
    })

    it('does not retry an overloaded object: one call, 503 with Retry-After, and the key still runs later', async () => {
      const { token } = await register('idem-overloaded')
      const { app, runs } = countingApp()
      const key = crypto.randomUUID()
      const faulty = faultyRecords({ begin: always('overloaded') })

      const res = await fetchWith(app, post('/v1/things', key, { a: 1 }, token), faulty.overrides)

      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('2')
      expect(await json(res)).toMatchObject({ code: 'service_unavailable' })
      expect(faulty.calls).toEqual({ begin: 1, complete: 0, abandon: 0 })
      expect(runs.n).toBe(0)
      expect((await fetchWith(app, post('/v1/things', key, { a: 1 }, token))).status).toBe(201)
      expect(runs.n).toBe(1)
    })

    it('keeps an unkept answer (403) when abandon fails every time, instead of replacing it with an error', async () => {
      const { token } = await register('idem-abandon-down')
      const app = middlewareApp().post('/v1/guarded', (c) => c.json({ code: 'forbidden', why: 'not yours' }, 403))
      const faulty = faultyRecords({ abandon: always('lost') })

      const res = await fetchWith(app, post('/v1/guarded', crypto.randomUUID(), {}, token), faulty.overrides)

      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ code: 'forbidden', why: 'not yours' })
      expect(faulty.calls.abandon).toBe(3)
    })
  })

  it('answers 503 for a transient error the route itself throws, and frees the key so the retry runs', async () => {
    const { token } = await register('idem-route-transient')
    let fail = true
    let runs = 0
    const app = middlewareApp().post('/v1/busy', (c) => {
      runs++
      if (fail) throw Object.assign(new Error('D1_ERROR: Network connection lost.'), { retryable: true })
      return c.json({ ok: true }, 201)
    })
    const key = crypto.randomUUID()

    const busy = await fetchWith(app, post('/v1/busy', key, {}, token))
    expect(busy.status).toBe(503)
    expect(busy.headers.get('retry-after')).toBe('1')
    expect(await json(busy)).toMatchObject({ code: 'service_unavailable' })
    fail = false
    const retry = await fetchWith(app, post('/v1/busy', key, {}, token))
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(runs).toBe(2)
  })

  it('forgets a key when its retention ends (alarm), after which the key runs again', async () => {
    const { token, user } = await register('idem-ttl')
    const { app, runs } = countingApp()
    const key = crypto.randomUUID()
    await fetchWith(app, post('/v1/things', key, { t: 1 }, token))
    const stub = recordStub(user.id)
    await runInDurableObject(stub, (o: IdempotencyObject) => {
      o.now = () => Date.now() + 24 * 3_600_000 + 1000
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await runInDurableObject(stub, (_o: IdempotencyObject, state) => state.storage.sql.exec('SELECT id FROM records').toArray().length)).toBe(0)
    const after = await fetchWith(app, post('/v1/things', key, { t: 1 }, token))
    expect(after.headers.get('idempotent-replayed')).toBeNull()
    expect(runs.n).toBe(2)
  })
})

describe('the caller\'s key object', () => {
  it('keeps every key of one caller in one object, and its alarm forgets only the records whose retention and lease are over', async () => {
    const { token, user } = await register('idem-sweep')
    const { app } = countingApp()
    const keys = [crypto.randomUUID(), crypto.randomUUID()]
    for (const key of keys) expect((await fetchWith(app, post('/v1/things', key, { k: key }, token))).status).toBe(201)
    const stub = recordStub(user.id)
    const rows = () => runInDurableObject(stub, (_o: IdempotencyObject, state) => state.storage.sql.exec<{ id: string }>('SELECT id FROM records').toArray().length)
    expect(await rows()).toBe(2)
    // Past the retention of the first two, a third key is still fresh.
    await runInDurableObject(stub, (o: IdempotencyObject) => {
      o.now = () => Date.now() + 25 * 3_600_000
    })
    expect((await fetchWith(app, post('/v1/things', crypto.randomUUID(), { k: 3 }, token))).status).toBe(201)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await rows()).toBe(1)
  })

  it('empties an object of the earlier one-object-per-key layout when its alarm comes', async () => {
    const legacy = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`legacy-${crypto.randomUUID()}`))
    await runInDurableObject(legacy, async (_o: IdempotencyObject, state) => {
      state.storage.kv.put('record', { state: 'completed', fingerprint: 'fp', response: 'sealed', expiresAt: Date.now() + 3_600_000 })
      await state.storage.setAlarm(Date.now() + 60_000)
    })
    expect(await runDurableObjectAlarm(legacy)).toBe(true)
    expect(await runInDurableObject(legacy, (_o: IdempotencyObject, state) => [...state.storage.kv.list()].length)).toBe(0)
  })
})
