import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountStub } from '../../../src/accounts/account-adapters'
import type { AccountObject } from '../../../src/accounts/account-object'
import { codeAt, PERIOD_SECONDS } from '../../../src/accounts/totp'
import { call, json, PASSWORD, register, type Registered } from '../support/api'

/**
 * TOTP through the API: enrol, verify (a code once), login and step-up ask for it, recovery codes
 * work once each, turning it off needs a code, and guessing is throttled.
 */

/** Moves the user's account object's clock `ms` on, so the next code is of a later step. */
const advance = (userId: string, ms: number) =>
  runInDurableObject(accountStub(env, userId), (o: AccountObject) => {
    const before = o.now()
    o.now = () => new Date(before.getTime() + ms)
  })

const nowOf = (userId: string) => runInDurableObject(accountStub(env, userId), (o: AccountObject) => o.now().getTime())

async function enrolled(label: string): Promise<Registered & { secret: string; recoveryCodes: string[] }> {
  const who = await register(label)
  const started = await call('/v1/me/mfa/totp', { method: 'POST', token: who.token })
  expect(started.status).toBe(201)
  const { secret, otpauthUrl } = await json<{ secret: string; otpauthUrl: string }>(started)
  expect(otpauthUrl).toContain(`secret=${secret}`)
  const verified = await call('/v1/me/mfa/totp/verify', { method: 'POST', token: who.token, json: { code: codeAt(secret, await nowOf(who.user.id)) } })
  expect(verified.status).toBe(200)
  const { recoveryCodes } = await json<{ recoveryCodes: string[] }>(verified)
  return { ...who, secret, recoveryCodes }
}

const login = (email: string, extra: Record<string, string> = {}) => call('/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD, ...extra } })
const nextCode = async (u: { user: { id: string }; secret: string }) => {
  await advance(u.user.id, PERIOD_SECONDS * 1000)
  return codeAt(u.secret, await nowOf(u.user.id))
}

describe('TOTP', () => {
  it('is on once its first code is verified: login asks for a code, accepts a current one once, and a recovery code once', async () => {
    const ada = await enrolled('totp-login')
    expect(ada.recoveryCodes).toHaveLength(10)

    const without = await login(ada.user.email)
    expect(without.status).toBe(401)
    expect(await json(without)).toMatchObject({ code: 'mfa_required' })

    const code = await nextCode(ada)
    expect((await login(ada.user.email, { totp: code })).status).toBe(200)
    // The same code again (same step) is refused: a code is accepted once.
    expect((await login(ada.user.email, { totp: code })).status).toBe(401)

    const [recovery] = ada.recoveryCodes
    expect((await login(ada.user.email, { recoveryCode: (recovery as string).toUpperCase() })).status).toBe(200)
    expect((await login(ada.user.email, { recoveryCode: recovery as string })).status).toBe(401)
    expect((await login(ada.user.email, { totp: await nextCode(ada), recoveryCode: ada.recoveryCodes[1] as string })).status).toBe(400)
  })

  it('asks for a code to create an API key and to turn itself off (step-up), and then login no longer does', async () => {
    const sam = await enrolled('totp-stepup')
    const key = (headers: Record<string, string> = {}) => call('/v1/api-keys', { method: 'POST', token: sam.token, headers, json: { name: 'sync', scopes: ['account:read'] } })
    expect(await json(await key())).toMatchObject({ code: 'mfa_required' })
    expect((await key({ 'x-mfa-code': await nextCode(sam) })).status).toBe(201)

    expect((await call('/v1/me/mfa/totp', { method: 'DELETE', token: sam.token })).status).toBe(401)
    expect((await call('/v1/me/mfa/totp', { method: 'DELETE', token: sam.token, headers: { 'x-mfa-code': await nextCode(sam) } })).status).toBe(204)
    expect((await login(sam.user.email)).status).toBe(200)
    expect((await key()).status).toBe(201)
  })

  it('refuses a second enrolment while on, a verify with nothing started, and a wrong first code', async () => {
    const fresh = await register('totp-states')
    expect(await json(await call('/v1/me/mfa/totp/verify', { method: 'POST', token: fresh.token, json: { code: '123456' } }))).toMatchObject({ code: 'mfa_not_started' })
    const { secret } = await json<{ secret: string }>(await call('/v1/me/mfa/totp', { method: 'POST', token: fresh.token }))
    const wrong = String((Number(codeAt(secret, await nowOf(fresh.user.id))) + 1) % 1_000_000).padStart(6, '0')
    expect(await json(await call('/v1/me/mfa/totp/verify', { method: 'POST', token: fresh.token, json: { code: wrong } }))).toMatchObject({ code: 'mfa_code_invalid' })
    // Not on yet: login does not ask.
    expect((await login(fresh.user.email)).status).toBe(200)

    const on = await enrolled('totp-twice')
    expect(await json(await call('/v1/me/mfa/totp', { method: 'POST', token: on.token }))).toMatchObject({ code: 'mfa_already_enabled' })
  })

  it('cannot be brute-forced: after five wrong codes even the right one is refused, for step-up and for login', async () => {
    const eve = await enrolled('totp-brute')
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('/v1/api-keys', { method: 'POST', token: eve.token, headers: { 'x-mfa-code': String(100_000 + i) }, json: { name: `k${i}`, scopes: ['account:read'] } })),
    )
    expect(attempts.every((r) => r.status === 401)).toBe(true)
    expect((await call('/v1/api-keys', { method: 'POST', token: eve.token, headers: { 'x-mfa-code': await nextCode(eve) }, json: { name: 'real', scopes: ['account:read'] } })).status).toBe(401)
    expect((await login(eve.user.email, { totp: await nextCode(eve) })).status).toBe(401)
    await advance(eve.user.id, 15 * 60_000)
    expect((await login(eve.user.email, { totp: codeAt(eve.secret, await nowOf(eve.user.id)) })).status).toBe(200)
  })

  it('is a session’s business: an API key may not enrol', async () => {
    const owner = await register('totp-key')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token: owner.token, json: { name: 'k', scopes: ['account:read'] } }))
    expect((await call('/v1/me/mfa/totp', { method: 'POST', token: key.key })).status).toBe(403)
  })
})
