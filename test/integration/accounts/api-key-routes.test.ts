import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountStub } from '../../../src/accounts/account-adapters'
import { call, freeze, json, makeStaff, register, type Json } from '../support/api'

const keysHeld = async (userId: string) => (await accountStub(env, userId).credentialHistory()).filter((c) => c.kind === 'api_key').length

type CreatedKey = { id: string; key: string; name: string; scopes: string[]; prefix: string; lastUsedAt: string | null }
type KeyPage = { data: Json[]; nextCursor: string | null }

async function createKey(token: string, scopes: string[] = ['account:read'], name = 'integration'): Promise<CreatedKey> {
  const res = await call('/v1/api-keys', { method: 'POST', token, json: { name, scopes } })
  expect(res.status).toBe(201)
  return json<CreatedKey>(res)
}

describe('API keys', () => {
  it('shows a new key once, stores only its hash, and lets it act within its scopes', async () => {
    const { token, user } = await register('keys')
    const created = await createKey(token, ['account:read', 'orders:read'])
    expect(created.key).toMatch(new RegExp(`^sk_${user.id.slice(4)}[A-Za-z0-9_-]{43}$`))
    expect(created.id).toMatch(/^key_[0-9a-z]{26}$/)
    expect(created.prefix).toBe(`sk_…${created.key.slice(-4)}`)

    // Its account holds it, by hash: nothing of the secret is stored or shown again.
    const stored = await accountStub(env, user.id).credentialHistory()
    expect(stored).toEqual([expect.objectContaining({ kind: 'session' }), expect.objectContaining({ id: created.id, kind: 'api_key', tokenHash: '' })])
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(29, -4))

    const me = await call('/v1/me', { token: created.key })
    expect(me.status).toBe(200)
    expect(await json(me)).toMatchObject({ id: user.id })

    const listed = await json<KeyPage>(await call('/v1/api-keys', { token }))
    expect(listed.data).toEqual([expect.objectContaining({ id: created.id, name: 'integration', scopes: ['account:read', 'orders:read'] })])
    expect(JSON.stringify(listed)).not.toContain(created.key.slice(9))
  })

  it('refuses a key the scope a route needs', async () => {
    const { token } = await register('scoped')
    const key = await createKey(token, ['orders:read'])
    const res = await call('/v1/me', { token: key.key })
    expect(res.status).toBe(403)
    expect(await json(res)).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('account:read') })
  })

  it('stops a revoked key at once and hides it from the list', async () => {
    const { token } = await register('revoke')
    const key = await createKey(token)
    expect((await call('/v1/me', { token: key.key })).status).toBe(200)
    expect((await call(`/v1/api-keys/${key.id}`, { method: 'DELETE', token })).status).toBe(204)
    expect((await call('/v1/me', { token: key.key })).status).toBe(401)
    expect((await json<KeyPage>(await call('/v1/api-keys', { token }))).data).toEqual([])
    expect((await call(`/v1/api-keys/${key.id}`, { method: 'DELETE', token })).status).toBe(404)
  })

  it("answers 404 for another user's key and leaves it working", async () => {
    const owner = await register('owner')
    const stranger = await register('stranger')
    const key = await createKey(owner.token)
    const res = await call(`/v1/api-keys/${key.id}`, { method: 'DELETE', token: stranger.token })
    expect(res.status).toBe(404)
    expect(await json(res)).toMatchObject({ code: 'not_found' })
    expect((await call('/v1/me', { token: key.key })).status).toBe(200)
    expect((await json<KeyPage>(await call('/v1/api-keys', { token: stranger.token }))).data).toEqual([])
  })

  it('cannot be managed with an API key, only with a session', async () => {
    const { token, user } = await register('escalate')
    const key = await createKey(token, ['account:read', 'orders:write'])
    const before = await keysHeld(user.id)
    for (const [method, path] of [['POST', '/v1/api-keys'], ['GET', '/v1/api-keys'], ['DELETE', `/v1/api-keys/${key.id}`]] as const) {
      const res = await call(path, { method, token: key.key, ...(method === 'POST' ? { json: { name: 'child', scopes: ['account:read'] } } : {}) })
      expect(res.status, `${method} ${path}`).toBe(403)
    }
    expect(await keysHeld(user.id)).toBe(before)
  })

  it('lets only staff grant the admin scope', async () => {
    const user = await register('plain')
    const denied = await call('/v1/api-keys', { method: 'POST', token: user.token, json: { name: 'x', scopes: ['account:read', 'admin'] } })
    expect(denied.status).toBe(403)
    expect(await json(denied)).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('admin') })

    const staff = await register('staff')
    await makeStaff(staff.user.id, 'support')
    expect((await createKey(staff.token, ['admin'])).scopes).toEqual(['admin'])
  })

  it('pages the list newest first with an opaque cursor', async () => {
    const { token } = await register('pager')
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push((await createKey(token, ['account:read'], `key ${i}`)).id)
    const first = await json<KeyPage>(await call('/v1/api-keys?limit=2', { token }))
    expect(first.data.map((k) => k.id)).toEqual([made[4], made[3]])
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await json<KeyPage>(await call(`/v1/api-keys?limit=2&cursor=${first.nextCursor}`, { token }))
    expect(second.data.map((k) => k.id)).toEqual([made[2], made[1]])
    const third = await json<KeyPage>(await call(`/v1/api-keys?limit=2&cursor=${second.nextCursor}`, { token }))
    expect(third.data.map((k) => k.id)).toEqual([made[0]])
    expect(third.nextCursor).toBeNull()
  })

  it('rejects bad input with validation problems and creates nothing', async () => {
    const { token, user } = await register('bad-keys')
    const before = await keysHeld(user.id)
    const bodies: unknown[] = [
      {},
      { name: '', scopes: ['account:read'] },
      { name: 'x'.repeat(101), scopes: ['account:read'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['root'] },
      { name: 'x', scopes: ['account:read', 'account:read'] },
      { name: 'x', scopes: 'account:read' },
      { name: 42, scopes: ['account:read'] },
      { name: 'x', scopes: ['account:read'], extra: true },
    ]
    for (const body of bodies) {
      const res = await call('/v1/api-keys', { method: 'POST', token, json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      const problem = await json<{ code: string; errors: unknown[] }>(res)
      expect(problem.code).toBe('validation_failed')
      expect(problem.errors.length).toBeGreaterThan(0)
    }
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-a-cursor']) {
      expect((await call(`/v1/api-keys?${query}`, { token })).status, query).toBe(400)
    }
    expect((await call('/v1/api-keys/not-an-id', { method: 'DELETE', token })).status).toBe(400)
    expect(await keysHeld(user.id)).toBe(before)
  })
})

describe('API key limits', () => {
  it('caps live keys at 20 per user, even when 30 are created at once', async () => {
    const { token } = await register('many-keys')
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call('/v1/api-keys', { method: 'POST', token, json: { name: `k${i}`, scopes: ['account:read'] } })),
    )
    expect(results.filter((r) => r.status === 201)).toHaveLength(20)
    const refused = results.filter((r) => r.status === 409)
    expect(refused).toHaveLength(10)
    expect(await json(refused[0] as Response)).toMatchObject({ code: 'api_key_limit' })

    // Revoking one makes room for one.
    const page = await json<KeyPage>(await call('/v1/api-keys?limit=1', { token }))
    expect((await call(`/v1/api-keys/${String(page.data[0]?.id)}`, { method: 'DELETE', token })).status).toBe(204)
    expect((await call('/v1/api-keys', { method: 'POST', token, json: { name: 'again', scopes: ['account:read'] } })).status).toBe(201)
  })

  it('ends with a freeze: a frozen account holds no key that works', async () => {
    const { token, user } = await register('frozen-revoke')
    const key = await createKey(token)
    await freeze(user.id)
    expect((await call('/v1/me', { token: key.key })).status).toBe(401)
    expect((await call('/v1/me', { token })).status).toBe(401)
  })
})
