import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountStub } from '../../../src/accounts/account-adapters'
import type { AccountObject } from '../../../src/accounts/account-object'
import { codeAt, pendingTotp, type TotpState } from '../../../src/accounts/totp'
import { settingsOf } from '../../../src/config'
import { newId } from '../../../src/platform/runtime'
import { personalDataOf } from '../../../src/pii/pii-adapters'
import { ADDRESS, checkout, checkoutBody, fixedListing } from '../checkout/checkout-fixtures'
import { call, json, PASSWORD, register, uniqueEmail, type Json } from '../support/api'
import { verifyPhone } from '../support/contact-points'

/**
 * Personal data at rest (docs/SECURITY.md "What is encrypted, and how keys rotate"): what the
 * API takes in is sealed in D1 and in the account object, and read back in the clear only
 * through the API, to those who may see it.
 */
const pd = () => personalDataOf(settingsOf(env))
const SEALED = /^v1\.dev1\.[A-Za-z0-9_-]{38,}$/
const userRow = (id: string) => env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(id).first<Json>()
const login = (email: string) => call('/v1/auth/login', { method: 'POST', json: { email, password: PASSWORD } })

describe('e-mail', () => {
  it('is sealed in the users row with a blind index; login finds it, GET /v1/me shows it', async () => {
    const u = await register('sealed')
    const row = await userRow(u.user.id)
    expect(row?.email).toMatch(SEALED)
    expect(row?.email_index).toBe(await pd().emailIndex(u.user.email))
    expect(JSON.stringify(row)).not.toContain(u.user.email)
    expect(JSON.stringify(row)).not.toContain(u.user.email.split('@')[0])

    const res = await login(` ${u.user.email.toUpperCase()} `)
    expect(res.status).toBe(200)
    const { token } = await json<{ token: string }>(res)
    expect(await json(await call('/v1/me', { token }))).toMatchObject({ id: u.user.id, email: u.user.email })
  })

  it('stays unique: a second registration of the address, however typed, is 409 email_taken', async () => {
    const u = await register('unique')
    const again = await call('/v1/auth/register', { method: 'POST', json: { email: u.user.email.toUpperCase(), password: PASSWORD, displayName: 'Twin' } })
    expect(again.status).toBe(409)
    expect(await json(again)).toMatchObject({ code: 'email_taken' })
  })

  it('in a row written before sealing (plaintext, no index): login still finds it, and the address cannot register twice', async () => {
    const email = uniqueEmail('legacy')
    const donor = await register('donor') // a real password hash, borrowed for the old-style row
    const hash = (await userRow(donor.user.id))?.password_hash
    const id = newId('usr')
    const at = new Date().toISOString()
    await env.DB.prepare("INSERT INTO users (id, email, display_name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'Old', ?, 'user', ?, ?)").bind(id, email, hash, at, at).run()

    const res = await login(email)
    expect(res.status).toBe(200)
    expect((await json<{ user: Json }>(res)).user).toMatchObject({ id, email })
    const twin = await call('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: 'Twin' } })
    expect(twin.status).toBe(409)
    expect(await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ? OR email_index = ?').bind(email, await pd().emailIndex(email)).first<{ n: number }>()).toEqual({ n: 1 })
  })

  it('altered in D1 is refused with a 500 (internal_error), never shown as another value', async () => {
    const u = await register('tampered')
    const row = await userRow(u.user.id)
    const sealed = String(row?.email)
    const i = sealed.length - 10
    const tampered = sealed.slice(0, i) + (sealed[i] === 'A' ? 'B' : 'A') + sealed.slice(i + 1)
    await env.DB.prepare('UPDATE users SET email = ? WHERE id = ?').bind(tampered, u.user.id).run()
    const res = await call('/v1/me', { token: u.token })
    expect(res.status).toBe(500)
    const body = await json(res)
    expect(body).toMatchObject({ code: 'internal_error' })
    expect(JSON.stringify(body)).not.toContain(u.user.email)

    // A value sealed for another user, put into this row, fails the same way: it is bound to its owner.
    const other = await register('other')
    await env.DB.prepare('UPDATE users SET email = ? WHERE id = ?').bind(await pd().seal('users.email', other.user.id, u.user.email), u.user.id).run()
    expect((await call('/v1/me', { token: u.token })).status).toBe(500)
  })
})

describe('shipping addresses, phone numbers, TOTP secrets', () => {
  it('a checkout writes the address sealed; the buyer reads it back; the raw row holds none of it', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const res = await checkout(buyer, checkoutBody(listing.id))
    expect(res.status).toBe(201)
    const { id } = await json<{ id: string }>(res)
    const row = await env.DB.prepare('SELECT * FROM orders WHERE id = ?').bind(id).first<Json>()
    expect(row?.shipping_address).toMatch(SEALED)
    for (const part of [ADDRESS.name, ADDRESS.line1, ADDRESS.city, ADDRESS.postalCode]) expect(JSON.stringify(row)).not.toContain(part)
    expect(await pd().openAddress(id, String(row?.shipping_address))).toEqual(ADDRESS)
    expect((await json<Json>(await call(`/v1/orders/${id}`, { token: buyer.token }))).shippingAddress).toEqual(ADDRESS)
  })

  it('a phone number is sealed while pending and once verified', async () => {
    const u = await register('phone')
    const phone = await verifyPhone(u)
    const row = await env.DB.prepare('SELECT phone, pending_phone FROM phone_numbers WHERE user_id = ?').bind(u.user.id).first<{ phone: string; pending_phone: null }>()
    expect(row?.phone).toMatch(SEALED)
    expect(row?.phone).not.toContain(phone.slice(1))
    expect(await json(await call('/v1/me/phone', { token: u.token }))).toMatchObject({ phone })

    const next = '+33612345678'
    // As if a minute had passed since the last code (one code a minute).
    await env.DB.prepare('UPDATE phone_numbers SET code_sent_at = ? WHERE user_id = ?').bind(new Date(Date.now() - 61_000).toISOString(), u.user.id).run()
    expect((await call('/v1/me/phone', { method: 'PUT', token: u.token, json: { phone: next } })).status).toBe(202)
    const pending = await env.DB.prepare('SELECT pending_phone FROM phone_numbers WHERE user_id = ?').bind(u.user.id).first<{ pending_phone: string }>()
    expect(pending?.pending_phone).toMatch(SEALED)
    expect(pending?.pending_phone).not.toContain('612345678')
  })

  it('the TOTP secret is sealed in the account object; one kept in the clear still works and is sealed as it is used', async () => {
    const u = await register('totp')
    const { secret } = await json<{ secret: string }>(await call('/v1/me/mfa/totp', { method: 'POST', token: u.token }))
    const kept = () => runInDurableObject(accountStub(env, u.user.id), (o: AccountObject, state) => state.storage.kv.get<TotpState>('mfa:totp'))
    expect((await kept())?.secret).toMatch(SEALED)
    const now = await runInDurableObject(accountStub(env, u.user.id), (o: AccountObject) => o.now().getTime())
    expect((await call('/v1/me/mfa/totp/verify', { method: 'POST', token: u.token, json: { code: codeAt(secret, now) } })).status).toBe(200)
    expect((await kept())?.status).toBe('on')

    // As an object from before secrets were sealed keeps it: base32 in the clear.
    await runInDurableObject(accountStub(env, u.user.id), (o: AccountObject, state) => {
      const on = state.storage.kv.get<TotpState>('mfa:totp')
      state.storage.kv.put('mfa:totp', { ...pendingTotp(secret), ...on, secret })
      o.now = () => new Date(now + 60_000)
    })
    const res = await call('/v1/auth/login', { method: 'POST', json: { email: u.user.email, password: PASSWORD, totp: codeAt(secret, now + 60_000) } })
    expect(res.status).toBe(200)
    expect((await kept())?.secret).toMatch(SEALED)
  })
})

describe('export and erasure', () => {
  it('the export shows it all in the clear; erasure removes it and frees the address', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const phone = await verifyPhone(buyer)
    const listing = await fixedListing(seller)
    const { id } = await json<{ id: string }>(await checkout(buyer, checkoutBody(listing.id)))

    const exported = await json<{ user: Json; orders: { id: string; shippingAddress: unknown }[]; phone: Json }>(await call('/v1/me/export', { token: buyer.token }))
    expect(exported.user.email).toBe(buyer.user.email)
    expect(exported.orders).toEqual([expect.objectContaining({ id, shippingAddress: ADDRESS })])
    expect(exported.phone).toMatchObject({ phone, pendingPhone: null })

    expect((await call('/v1/me', { method: 'DELETE', token: buyer.token })).status).toBe(204)
    const row = await userRow(buyer.user.id)
    expect(row).toMatchObject({ email: `erased:${buyer.user.id}`, email_index: null })
    expect(await env.DB.prepare('SELECT count(*) AS n FROM phone_numbers WHERE user_id = ?').bind(buyer.user.id).first<{ n: number }>()).toEqual({ n: 0 })
    expect((await call('/v1/auth/register', { method: 'POST', json: { email: buyer.user.email, password: PASSWORD, displayName: 'Again' } })).status).toBe(201)
  })
})
