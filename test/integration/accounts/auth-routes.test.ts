import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountStub } from '../../../src/accounts/account-adapters'
import type { AccountObject } from '../../../src/accounts/account-object'
import { settingsOf } from '../../../src/config'
import { sha256Hex } from '../../../src/core/bytes'
import { personalDataOf } from '../../../src/pii/pii-adapters'
import { call, countRows, freeze, json, PASSWORD, register, uniqueEmail, type Json, type Registered } from '../support/api'

/** Everything a user's account object stores, as raw key/value pairs. */
const accountStorage = (userId: string) =>
  runInDurableObject(accountStub(env, userId), (_: AccountObject, state) => JSON.stringify([...state.storage.kv.list()], (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))

describe('register', () => {
  it('creates the user and a working session, and stores neither password nor token in the clear', async () => {
    const email = uniqueEmail('ada')
    const res = await call('/v1/auth/register', { method: 'POST', json: { email: `  ${email.toUpperCase()} `, password: PASSWORD, displayName: ' Ada ' } })
    expect(res.status).toBe(201)
    const body = await json<Registered & { user: Json }>(res)
    expect(body.user).toMatchObject({ email, displayName: 'Ada', role: 'user', frozen: false })
    expect(body.user.id).toMatch(/^usr_[0-9a-z]{26}$/)
    expect(body.token).toMatch(new RegExp(`^st_${body.user.id.slice(4)}[A-Za-z0-9_-]{43}$`))

    const me = await call('/v1/me', { token: body.token })
    expect(me.status).toBe(200)
    expect(await json(me)).toMatchObject({ id: body.user.id, email })

    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(body.user.id).first<{ password_hash: string }>()
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/)
    expect(row?.password_hash).not.toContain(PASSWORD)
    // The account keeps the token's SHA-256, never the token.
    const stored = await accountStorage(body.user.id)
    expect(stored).toContain(await sha256Hex(body.token))
    expect(stored).not.toContain(body.token.slice(29))
  })

  it('answers 409 email_taken for an address already registered, whatever its case', async () => {
    const email = uniqueEmail('dup')
    expect((await call('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: 'A' } })).status).toBe(201)
    const users = await countRows('users')
    const again = await call('/v1/auth/register', { method: 'POST', json: { email: email.toUpperCase(), password: PASSWORD, displayName: 'B' } })
    expect(again.status).toBe(409)
    expect(await json(again)).toMatchObject({ code: 'email_taken', status: 409 })
    expect(await countRows('users')).toBe(users)
  })

  it('lets exactly one of 25 simultaneous registrations of one address win, with one session', async () => {
    const email = uniqueEmail('race')
    const attempts = await Promise.all(
      Array.from({ length: 25 }, (_, i) => call('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: `racer ${i}` } })),
    )
    const statuses = attempts.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(24)
    // E-mail is sealed at rest: the row is found by its blind index.
    const rows = await env.DB.prepare('SELECT id FROM users WHERE email_index = ?').bind(await personalDataOf(settingsOf(env)).emailIndex(email)).all<{ id: string }>()
    expect(rows.results).toHaveLength(1)
    expect(await accountStub(env, rows.results[0]?.id ?? '').credentialHistory()).toHaveLength(1)
  })
})

describe('login and logout', () => {
  it('issues a new session for the right password and refuses a wrong one or an unknown address alike', async () => {
    const { user } = await register('login')
    const ok = await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })
    expect(ok.status).toBe(200)
    const body = await json<{ token: string; user: Json }>(ok)
    expect(body.user).toMatchObject({ id: user.id })
    expect((await call('/v1/me', { token: body.token })).status).toBe(200)

    const wrong = await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: 'not the password' } })
    const unknown = await call('/v1/auth/login', { method: 'POST', json: { email: uniqueEmail('ghost'), password: PASSWORD } })
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401)
      const problem = await json(res)
      expect(problem).toMatchObject({ code: 'invalid_credentials' })
      expect(problem.detail).not.toContain('@')
    }
  })

  it('ends the session at once on logout, and only that session', async () => {
    const first = await register('logout')
    const second = await json<{ token: string }>(await call('/v1/auth/login', { method: 'POST', json: { email: first.user.email, password: PASSWORD } }))
    const out = await call('/v1/auth/logout', { method: 'POST', token: first.token })
    expect(out.status).toBe(204)
    const after = await call('/v1/me', { token: first.token })
    expect(after.status).toBe(401)
    expect(after.headers.get('www-authenticate')).toBe('Bearer realm="souk"')
    expect(await json(after)).toMatchObject({ code: 'unauthenticated' })
    expect((await call('/v1/me', { token: second.token })).status).toBe(200)
  })

  it('refuses an expired session', async () => {
    const { token, user } = await register('expired')
    // The account's clock moves past the session's 30 days.
    await runInDurableObject(accountStub(env, user.id), (o: AccountObject) => {
      o.now = () => new Date(Date.now() + 31 * 24 * 3_600_000)
    })
    expect((await call('/v1/me', { token })).status).toBe(401)
  })

  it('refuses malformed and unknown bearer tokens with 401, even on public routes', async () => {
    const { token, user } = await register('victim')
    const forged = token.slice(0, 29) + (token.at(29) === 'A' ? 'B' : 'A') + token.slice(30)
    const stranger = `sk_${'0123456789abcdefghjkmnpqrs'}${'B'.repeat(43)}`
    for (const header of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer st_short', `Bearer st_${'A'.repeat(43)}`, `Bearer ${forged}`, `Bearer ${stranger}`, `Bearer st_${user.id.slice(4)}`]) {
      const res = await call('/v1/auth/login', { method: 'POST', headers: { authorization: header }, json: { email: uniqueEmail(), password: PASSWORD } })
      expect(res.status, header).toBe(401)
      expect(await json(res)).toMatchObject({ code: 'unauthenticated' })
    }
  })

  it('needs a session to log out: no token is 401, an API key is 403', async () => {
    expect((await call('/v1/auth/logout', { method: 'POST' })).status).toBe(401)
    const { token } = await register('keyholder')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token, json: { name: 'k', scopes: ['account:read'] } }))
    const res = await call('/v1/auth/logout', { method: 'POST', token: key.key })
    expect(res.status).toBe(403)
    expect(await json(res)).toMatchObject({ code: 'forbidden' })
  })
})

describe('frozen accounts', () => {
  it('keeps no working credential: a freeze ends every session and API key at once', async () => {
    const { token, user } = await register('frozen')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token, json: { name: 'k', scopes: ['account:read'] } }))
    await freeze(user.id)

    for (const credential of [token, key.key]) {
      expect((await call('/v1/me', { token: credential })).status).toBe(401)
      expect((await call('/v1/api-keys', { method: 'POST', token: credential, json: { name: 'again', scopes: ['account:read'] } })).status).toBe(401)
    }
    const history = await accountStub(env, user.id).credentialHistory()
    expect(history.map((c) => c.revokedAt)).toEqual([expect.any(String), expect.any(String)])
  })

  it('cannot log in, and the answer reveals nothing to someone without the password', async () => {
    const { user } = await register('frozen-login')
    await freeze(user.id)
    const right = await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })
    expect(right.status).toBe(403)
    expect(await json(right)).toMatchObject({ code: 'account_frozen' })
    const wrong = await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: 'wrong password!' } })
    expect(wrong.status).toBe(401)
    expect(await json(wrong)).toMatchObject({ code: 'invalid_credentials' })
  })
})

describe('brute force', () => {
  const from = (ip: string) => ({ 'cf-connecting-ip': ip })

  it('stops an address after 5 failed logins on an account, even with the right password, with Retry-After', async () => {
    const { user } = await register('brute')
    for (let i = 0; i < 5; i++) {
      expect((await call('/v1/auth/login', { method: 'POST', headers: from('198.51.100.7'), json: { email: user.email, password: `guess number ${i}` } })).status).toBe(401)
    }
    const locked = await call('/v1/auth/login', { method: 'POST', headers: from('198.51.100.7'), json: { email: user.email, password: PASSWORD } })
    expect(locked.status).toBe(429)
    expect(await json(locked)).toMatchObject({ code: 'rate_limited' })
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(locked.headers.get('ratelimit-policy')).toMatch(/^"loginFailuresPerAccountAndIp";q=5;w=900, "auth";q=\d+;w=60$/)
  })

  it('does not lock the owner out: failures from another address leave their login alone', async () => {
    const { user } = await register('lockout')
    for (let i = 0; i < 6; i++) await call('/v1/auth/login', { method: 'POST', headers: from('203.0.113.66'), json: { email: user.email, password: `attacker ${i} guess` } })
    const owner = await call('/v1/auth/login', { method: 'POST', headers: from('192.0.2.10'), json: { email: user.email, password: PASSWORD } })
    expect(owner.status).toBe(200)
    expect((await call('/v1/auth/login', { method: 'POST', headers: from('203.0.113.66'), json: { email: user.email, password: PASSWORD } })).status).toBe(429)
  })

  it('cannot be raced: of 40 simultaneous wrong guesses at most 5 reach the password check', async () => {
    const { user } = await register('race-brute')
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: `parallel guess ${i}` } })),
    )
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(35)
  })

  it('clears the failures of an account when its owner logs in', async () => {
    const { user } = await register('clears')
    for (let i = 0; i < 4; i++) await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: `guess ${i} wrong` } })
    expect((await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })).status).toBe(200)
    for (let i = 0; i < 4; i++) {
      expect((await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: `again ${i} wrong` } })).status).toBe(401)
    }
    expect((await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })).status).toBe(200)
  })
})
