import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountStub } from '../../../src/accounts/account-adapters'
import type { AccountObject } from '../../../src/accounts/account-object'
import { createApp } from '../../../src/app'
import { fixedListing } from '../checkout/checkout-fixtures'
import { call, json, makeStaff, PASSWORD, register, type Registered } from '../support/api'
import { fetchWith } from '../support/test-app'

/**
 * The account object is the authority on credentials; isolates trust its answers for at most
 * CREDENTIAL_CACHE_MS. Changes made "elsewhere" are made on the object directly, as another
 * isolate would, so this isolate's cache has not heard of them.
 */
const TRUST_MS = 300
const app = createApp()
const send = (path: string, token: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
  fetchWith(
    app,
    new Request(`https://souk.test${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    }),
    { CREDENTIAL_CACHE_MS: String(TRUST_MS) },
  )

const sessionId = async (userId: string) => (await accountStub(env, userId).credentialHistory()).find((c) => c.kind === 'session')?.id ?? ''

/** Polls until the answer's status is `status`, failing after `withinMs`; answers how long it took. */
async function statusWithin(request: () => Promise<Response>, status: number, withinMs: number): Promise<number> {
  const start = Date.now()
  for (;;) {
    const res = await request()
    if (res.status === status) return Date.now() - start
    if (Date.now() - start > withinMs) throw new Error(`still ${res.status} after ${withinMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const listingBody = { title: 'Lamp', category: 'home', format: 'fixed_price', price: { amount: 1000, currency: 'USD' } }

describe('the account as the authority on credentials', () => {
  it('a session revoked elsewhere: refused at once on security routes, everywhere within the trust period', async () => {
    const user = await register('revoked-elsewhere')
    expect((await send('/v1/me', user.token)).status).toBe(200) // now trusted by this isolate
    expect(await accountStub(env, user.user.id).revoke(await sessionId(user.user.id))).toBe(true)

    const keys = await send('/v1/api-keys', user.token, { method: 'POST', json: { name: 'k', scopes: ['account:read'] } })
    expect(keys.status).toBe(401)
    expect(await json(keys)).toMatchObject({ code: 'unauthenticated' })
    // The refusal taught this isolate: the plain route is refused at once too.
    expect((await send('/v1/me', user.token)).status).toBe(401)
  })

  it('a session revoked elsewhere stops working on plain routes within the trust period, never later', async () => {
    const user = await register('revoked-bound')
    expect((await send('/v1/me', user.token)).status).toBe(200)
    const revokedAt = Date.now()
    await accountStub(env, user.user.id).revoke(await sessionId(user.user.id))
    await statusWithin(() => send('/v1/me', user.token), 401, TRUST_MS + 200)
    expect(Date.now() - revokedAt).toBeLessThan(TRUST_MS + 200)
  })

  it('a freeze made elsewhere: a checkout is refused at once, a new listing within the trust period', async () => {
    const seller = await register('seller')
    const buyer = await register('frozen-elsewhere')
    const listing = await fixedListing(seller)
    expect((await send('/v1/me', buyer.token)).status).toBe(200)
    await accountStub(env, buyer.user.id).setFrozen(true)

    const bought = await send('/v1/checkout', buyer.token, {
      method: 'POST',
      headers: { 'idempotency-key': crypto.randomUUID() },
      json: { items: [{ listingId: listing.id, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: { name: 'A', line1: '1 St', city: 'C', postalCode: '1', country: 'US' } },
    })
    expect(bought.status).toBe(403)
    expect(await json(bought)).toMatchObject({ code: 'account_frozen' })
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    await statusWithin(() => send('/v1/listings', buyer.token, { method: 'POST', json: listingBody }), 403, TRUST_MS + 200)
  })

  it('an erasure finished elsewhere: every credential is refused, at once where money or security is at stake', async () => {
    const user = await register('erased-elsewhere')
    const key = await json<{ key: string }>(await send('/v1/api-keys', user.token, { method: 'POST', json: { name: 'k', scopes: ['account:read', 'payouts:write'] } }))
    expect((await send('/v1/me', key.key)).status).toBe(200)
    await accountStub(env, user.user.id).erase()
    expect((await send('/v1/me/payouts', key.key, { method: 'POST', headers: { 'idempotency-key': crypto.randomUUID() }, json: { amount: { amount: 100, currency: 'USD' } } })).status).toBe(401)
    await statusWithin(() => send('/v1/me', user.token), 401, TRUST_MS + 200)
    // And an erased account is never issued a credential again, whatever a stale record says.
    await accountStub(env, user.user.id).open({ userId: user.user.id, role: 'user', frozen: false, erased: false })
    expect(await accountStub(env, user.user.id).credentialHistory()).toSatisfy((all: { revokedAt: string | null }[]) => all.every((c) => c.revokedAt !== null))
    expect((await send('/v1/me', user.token)).status).toBe(401)
  })

  it('forgets credentials a week after they ended, when it next issues one', async () => {
    const user = await register('forgetful')
    const stub = accountStub(env, user.user.id)
    const first = await sessionId(user.user.id)
    expect(await stub.revoke(first)).toBe(true)
    await runInDurableObject(stub, (o: AccountObject) => {
      o.now = () => new Date(Date.now() + 8 * 24 * 3_600_000)
    })
    expect((await call('/v1/auth/login', { method: 'POST', json: { email: user.user.email, password: PASSWORD } })).status).toBe(200)
    const ids = (await stub.credentialHistory()).map((c) => c.id)
    expect(ids).not.toContain(first)
    expect(ids).toHaveLength(1)
  })
})

describe('POST /v1/admin/users/{id}/freeze and /unfreeze', () => {
  const staffOf = async (role: 'support' | 'admin'): Promise<Registered> => {
    const staff = await register(role)
    await makeStaff(staff.user.id, role)
    return staff
  }

  it('freezes at once: every session and key of the user ends and it cannot log in; unfreezing lets it log in again', async () => {
    const support = await staffOf('support')
    const user = await register('to-freeze')
    expect((await call('/v1/listings', { method: 'POST', token: user.token, json: listingBody })).status).toBe(201)

    const frozen = await call(`/v1/admin/users/${user.user.id}/freeze`, { method: 'POST', token: support.token })
    expect(frozen.status).toBe(200)
    expect(await json(frozen)).toMatchObject({ id: user.user.id, frozen: true })
    expect((await call('/v1/listings', { method: 'POST', token: user.token, json: listingBody })).status).toBe(401)
    expect((await call('/v1/me', { token: user.token })).status).toBe(401)
    const login = await call('/v1/auth/login', { method: 'POST', json: { email: user.user.email, password: PASSWORD } })
    expect(login.status).toBe(403)
    expect(await json(login)).toMatchObject({ code: 'account_frozen' })
    expect(await env.DB.prepare('SELECT frozen_at FROM users WHERE id = ?').bind(user.user.id).first<{ frozen_at: string | null }>()).toEqual({ frozen_at: expect.any(String) })

    expect((await call(`/v1/admin/users/${user.user.id}/unfreeze`, { method: 'POST', token: support.token })).status).toBe(200)
    // The old session stays ended; a new login works, and sells.
    expect((await call('/v1/me', { token: user.token })).status).toBe(401)
    const again = await json<{ token: string }>(await call('/v1/auth/login', { method: 'POST', json: { email: user.user.email, password: PASSWORD } }))
    expect((await call('/v1/listings', { method: 'POST', token: again.token, json: listingBody })).status).toBe(201)
  })

  it('is for staff only; support cannot freeze an admin; nobody freezes themselves; an unknown user is 404', async () => {
    const support = await staffOf('support')
    const admin = await staffOf('admin')
    const user = await register('plain')
    const freeze = (token: string, id: string) => call(`/v1/admin/users/${id}/freeze`, { method: 'POST', token })
    expect((await freeze(user.token, support.user.id)).status).toBe(403)
    expect((await call(`/v1/admin/users/${user.user.id}/freeze`, { method: 'POST' })).status).toBe(401)
    expect((await freeze(support.token, admin.user.id)).status).toBe(403)
    expect((await freeze(admin.token, admin.user.id)).status).toBe(403)
    expect((await freeze(admin.token, `usr_${'0'.repeat(26)}`)).status).toBe(404)
    expect((await freeze(admin.token, 'not-a-user')).status).toBe(400)
    // None of that froze anyone.
    expect((await call('/v1/listings', { method: 'POST', token: admin.token, json: listingBody })).status).toBe(201)
    expect((await freeze(admin.token, support.user.id)).status).toBe(200)
  })
})
