import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountStub } from '../../../src/accounts/account-adapters'
import { call, freeze, json, PASSWORD, register, type Json } from '../support/api'
import { ADDRESS, checkout, checkoutBody, fixedListing } from '../checkout/checkout-fixtures'

type Export = { exportedAt: string; user: Json; sessions: Json[]; apiKeys: Json[] }

describe('GET /v1/me/export', () => {
  it('gives the caller everything held about them, and no secret', async () => {
    const { token, user } = await register('export')
    const key = await json<{ id: string; key: string }>(
      await call('/v1/api-keys', { method: 'POST', token, json: { name: 'my shop sync', scopes: ['account:read'] } }),
    )
    const res = await call('/v1/me/export', { token })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="souk-export-${user.id}.json"`)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const text = await res.text()
    const body = JSON.parse(text) as Export
    expect(body.user).toMatchObject({ id: user.id, email: user.email, displayName: 'export', role: 'user', frozenAt: null })
    expect(body.sessions).toEqual([expect.objectContaining({ revokedAt: null })])
    expect(body.apiKeys).toEqual([expect.objectContaining({ id: key.id, name: 'my shop sync', scopes: ['account:read'] })])
    expect(text).not.toContain(token.slice(29))
    expect(text).not.toContain(key.key.slice(29))
    expect(text).not.toMatch(/pbkdf2|token_hash|tokenHash|passwordHash/)
  })

  it('is for the person, not for an integration: an API key gets 403, nobody gets 401', async () => {
    const { token } = await register('export-key')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token, json: { name: 'k', scopes: ['account:read'] } }))
    expect((await call('/v1/me/export', { token: key.key })).status).toBe(403)
    expect((await call('/v1/me/export')).status).toBe(401)
  })
})

describe('DELETE /v1/me', () => {
  it('erases personal data, revokes every credential at once, and keeps the row for integrity', async () => {
    const { token, user } = await register('erase')
    const key = await json<{ id: string; key: string }>(
      await call('/v1/api-keys', { method: 'POST', token, json: { name: 'Jane Doe personal key', scopes: ['account:read'] } }),
    )
    const res = await call('/v1/me', { method: 'DELETE', token })
    expect(res.status).toBe(204)

    expect((await call('/v1/me', { token })).status).toBe(401)
    expect((await call('/v1/me', { token: key.key })).status).toBe(401)
    const login = await call('/v1/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })
    expect(login.status).toBe(401)

    const row = await env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(user.id).first<Json>()
    // The blind index goes too: the address may register again.
    expect(row).toMatchObject({ id: user.id, email: `erased:${user.id}`, email_index: null, display_name: 'Erased user' })
    expect(row?.erased_at).toEqual(expect.any(String))
    expect(JSON.stringify(row)).not.toContain(user.email)
    expect(String(row?.password_hash)).not.toMatch(/^pbkdf2/)
    // Every credential ended, the key's free-text name gone with it.
    const credentials = await accountStub(env, user.id).credentialHistory()
    expect(credentials.map((c) => [c.kind, c.revokedAt !== null])).toEqual([
      ['session', true],
      ['api_key', true],
    ])
    expect(credentials.find((c) => c.id === key.id)?.name).toBe('')

    // The address is free again.
    const again = await call('/v1/auth/register', { method: 'POST', json: { email: user.email, password: PASSWORD, displayName: 'Back' } })
    expect(again.status).toBe(201)
    expect((await json<{ user: Json }>(again)).user.id).not.toBe(user.id)
  })

  it('cannot be blocked by someone registering the placeholder address first', async () => {
    const { token, user } = await register('erase-squat')
    for (const email of [`erased:${user.id}`, `erased+${user.id}@souk.invalid`]) {
      const squat = await call('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: 'Squatter' } })
      expect([201, 400]).toContain(squat.status)
    }
    expect((await call('/v1/me', { method: 'DELETE', token })).status).toBe(204)
  })

  it('needs the person: an API key gets 403 and erases nothing; a frozen account, its sessions ended, cannot erase itself', async () => {
    const { token, user } = await register('erase-key')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token, json: { name: 'k', scopes: ['account:read'] } }))
    expect((await call('/v1/me', { method: 'DELETE', token: key.key })).status).toBe(403)
    expect((await call('/v1/me', { token })).status).toBe(200)

    await freeze(user.id)
    expect((await call('/v1/me', { method: 'DELETE', token })).status).toBe(401)
    expect(await env.DB.prepare('SELECT erased_at FROM users WHERE id = ?').bind(user.id).first()).toEqual({ erased_at: null })
  })
})

describe('personal data on orders', () => {
  it('exports the orders a person bought with their address and the reviews they wrote; erasure removes finished orders’ addresses and review texts', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const open = await fixedListing(seller, { quantity: 2 })
    const paid = await json<{ id: string }>(await checkout(buyer, checkoutBody(open.id)))
    // A declined checkout leaves no order; a cancelled one is a finished order with an address.
    expect((await checkout(buyer, checkoutBody(open.id, 'pm_card_chargeDeclined'))).status).toBe(402)
    const cancelled = await json<{ id: string }>(await checkout(buyer, checkoutBody(open.id)))
    expect((await call(`/v1/orders/${cancelled.id}/cancel`, { method: 'POST', token: seller.token })).status).toBe(200)
    await env.DB.prepare("INSERT INTO reviews (order_id, author_id, subject_id, rating, comment, created_at) VALUES (?, ?, ?, 5, 'Lovely', ?)").bind(paid.id, buyer.user.id, seller.user.id, new Date().toISOString()).run()

    const exported = await json<{ orders: { id: string; shippingAddress: unknown }[]; reviews: { comment: string | null }[] }>(await call('/v1/me/export', { token: buyer.token }))
    expect(exported.orders.map((o) => o.id).sort()).toEqual([paid.id, cancelled.id].sort())
    expect(exported.orders.every((o) => JSON.stringify(o.shippingAddress) === JSON.stringify(ADDRESS))).toBe(true)
    expect(exported.reviews).toEqual([expect.objectContaining({ comment: 'Lovely', rating: 5 })])
    const sellerExport = await json<{ orders: unknown[] }>(await call('/v1/me/export', { token: seller.token }))
    expect(sellerExport.orders).toEqual([])

    expect((await call('/v1/me', { method: 'DELETE', token: buyer.token })).status).toBe(204)
    const addresses = await env.DB.prepare('SELECT id, shipping_address FROM orders WHERE buyer_id = ?').bind(buyer.user.id).all<{ id: string; shipping_address: string | null }>()
    // The paid order still has to be shipped: its address stays; the cancelled one's goes.
    expect(Object.fromEntries(addresses.results.map((r) => [r.id, r.shipping_address !== null]))).toEqual({ [paid.id]: true, [cancelled.id]: false })
    const review = await env.DB.prepare('SELECT comment, rating FROM reviews WHERE author_id = ?').bind(buyer.user.id).first()
    expect(review).toEqual({ comment: null, rating: 5 })
  })
})
