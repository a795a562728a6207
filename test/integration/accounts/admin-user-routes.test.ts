import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditLogStub } from '../../../src/audit/audit-log-object'
import { payoutAccountOf } from '../../../src/kyc/verification-store'
import { database } from '../../../src/db/client'
import { call, json, makeStaff, register, type Registered } from '../support/api'
import { verifySeller } from '../support/kyc'

/** Staff looking an account up (audited), admins changing roles and recording payout accounts: the runbook's SQL, as routes. */

async function staff(role: 'admin' | 'support'): Promise<Registered> {
  const who = await register(`staff-${role}`)
  await makeStaff(who.user.id, role)
  return who
}

const entries = (action: string, subjectId: string) => auditLogStub(env).list({ limit: 10, action, subjectId })

describe('GET /v1/admin/users/{id}', () => {
  it('shows staff the account (its e-mail opened), its standing and verification, and records the read', async () => {
    const support = await staff('support')
    const ada = await register('ada')
    const res = await call(`/v1/admin/users/${ada.user.id}`, { token: support.token })
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({ user: expect.objectContaining({ id: ada.user.id, email: ada.user.email, role: 'user', frozen: false }), erased: false, verification: 'unverified', payoutAccount: null })
    const [read] = await entries('personal_data.read', ada.user.id)
    expect(read).toMatchObject({ actorId: support.user.id, details: { what: 'user', resourceId: ada.user.id } })
  })

  it('refuses a non-staff caller (403), an unknown account (404) and a malformed id (400)', async () => {
    const support = await staff('support')
    const ada = await register('ada')
    expect((await call(`/v1/admin/users/${support.user.id}`, { token: ada.token })).status).toBe(403)
    expect((await call('/v1/admin/users/usr_01jd3v6w2k8m4n5p6q7r8s9t0v', { token: support.token })).status).toBe(404)
    expect((await call('/v1/admin/users/nope', { token: support.token })).status).toBe(400)
  })
})

describe('PUT /v1/admin/users/{id}/role', () => {
  it('makes a user support at once (the new role works on the next request), audited with from and to', async () => {
    const admin = await staff('admin')
    const sam = await register('sam')
    expect((await call('/v1/admin/risk/reviews', { token: sam.token })).status).toBe(403)
    const res = await call(`/v1/admin/users/${sam.user.id}/role`, { method: 'PUT', token: admin.token, json: { role: 'support' } })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ id: sam.user.id, role: 'support' })
    expect((await call('/v1/admin/risk/reviews', { token: sam.token })).status).toBe(200)
    const [entry] = await entries('account.role_changed', sam.user.id)
    expect(entry).toMatchObject({ actorId: admin.user.id, details: { from: 'user', to: 'support' } })
    // And back: the role is gone at once.
    expect((await call(`/v1/admin/users/${sam.user.id}/role`, { method: 'PUT', token: admin.token, json: { role: 'user' } })).status).toBe(200)
    expect((await call('/v1/admin/risk/reviews', { token: sam.token })).status).toBe(403)
  })

  it('is for admins only, never on oneself, and takes only a known role; nothing changes otherwise', async () => {
    const admin = await staff('admin')
    const support = await staff('support')
    const sam = await register('sam')
    expect((await call(`/v1/admin/users/${sam.user.id}/role`, { method: 'PUT', token: support.token, json: { role: 'admin' } })).status).toBe(403)
    expect((await call(`/v1/admin/users/${admin.user.id}/role`, { method: 'PUT', token: admin.token, json: { role: 'user' } })).status).toBe(403)
    expect((await call(`/v1/admin/users/${sam.user.id}/role`, { method: 'PUT', token: admin.token, json: { role: 'owner' } })).status).toBe(400)
    expect((await call('/v1/admin/users/usr_01jd3v6w2k8m4n5p6q7r8s9t0v/role', { method: 'PUT', token: admin.token, json: { role: 'user' } })).status).toBe(404)
    expect((await json<{ user: { role: string } }>(await call(`/v1/admin/users/${sam.user.id}`, { token: admin.token }))).user.role).toBe('user')
    expect((await call('/v1/admin/risk/reviews', { token: admin.token })).status).toBe(200)
  })
})

describe('PUT /v1/admin/users/{id}/payout-account', () => {
  it('records a verified seller’s Connect account (audited); refuses an unverified one (409), a malformed id (400) and support (403)', async () => {
    const admin = await staff('admin')
    const support = await staff('support')
    const seller = await register('seller')
    const put = (token: string, id: string, account: string) => call(`/v1/admin/users/${id}/payout-account`, { method: 'PUT', token, json: { account } })
    expect((await put(admin.token, seller.user.id, 'acct_1PxSellerAccount')).status).toBe(409)
    await verifySeller(seller)
    expect((await put(admin.token, seller.user.id, 'not-an-account')).status).toBe(400)
    expect((await put(support.token, seller.user.id, 'acct_1PxSellerAccount')).status).toBe(403)
    expect(await payoutAccountOf(database(env.DB), seller.user.id)).toBeNull()
    const res = await put(admin.token, seller.user.id, 'acct_1PxSellerAccount')
    expect(res.status).toBe(200)
    expect(await payoutAccountOf(database(env.DB), seller.user.id)).toBe('acct_1PxSellerAccount')
    expect((await entries('payout.account_set', seller.user.id))[0]).toMatchObject({ actorId: admin.user.id, details: { account: 'acct_1PxSellerAccount' } })
  })
})
