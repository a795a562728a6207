import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { BASE, call, json, makeStaff, register, type Registered } from '../support/api'

/**
 * Who may hold the caller's live channel (`GET /v1/me/live`), and for how long (review findings 1
 * and 2): it carries notifications and order updates, so a credential needs both
 * `notifications:read` and `orders:read`; a socket ends when the credential that opened it does
 * (logout, key revocation), and every socket ends when the account is erased or frozen.
 */

type Socket = { ws: WebSocket; closed: Promise<number> }

/** Opens the live channel through the worker's fetch handler, with a bearer token or a ticket. */
async function openLive(auth: { token: string } | { ticket: string }): Promise<Response & { socket?: Socket }> {
  const query = 'ticket' in auth ? `?ticket=${encodeURIComponent(auth.ticket)}` : ''
  const headers: Record<string, string> = { upgrade: 'websocket', ...('token' in auth ? { authorization: `Bearer ${auth.token}` } : {}) }
  const res = await worker.fetch(new Request(`${BASE}/v1/me/live${query}`, { headers }), env, createExecutionContext())
  const ws = res.webSocket
  if (!ws) return res
  ws.accept()
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
  return Object.assign(res, { socket: { ws, closed } })
}

async function apiKey(owner: Registered, scopes: string[]): Promise<string> {
  const res = await call('/v1/api-keys', { method: 'POST', token: owner.token, json: { name: scopes.join(' '), scopes } })
  expect(res.status).toBe(201)
  return (await json<{ key: string }>(res)).key
}

const within = <T>(p: Promise<T>, ms = 5_000): Promise<T | 'open'> => Promise.race([p, scheduler.wait(ms).then(() => 'open' as const)])

describe('GET /v1/me/live', () => {
  it('needs notifications:read and orders:read: a key with less is 403, by bearer and by ticket', async () => {
    const owner = await register('live-scopes')
    for (const scopes of [['account:read'], ['notifications:read'], ['orders:read']]) {
      const key = await apiKey(owner, scopes)
      expect((await openLive({ token: key })).status, scopes.join()).toBe(403)
      expect((await call('/v1/me/live-tickets', { method: 'POST', token: key })).status, scopes.join()).toBe(403)
    }
    const both = await apiKey(owner, ['notifications:read', 'orders:read'])
    const opened = await openLive({ token: both })
    expect(opened.status).toBe(101)
    opened.socket?.ws.close(1000)
  })

  it('ends the sockets of a session at logout and of an API key at its revocation, and no other', async () => {
    const owner = await register('live-revoke')
    const second = await json<{ token: string }>(await call('/v1/auth/login', { method: 'POST', json: { email: owner.user.email, password: 'correct horse battery staple' } }))
    const key = await apiKey(owner, ['notifications:read', 'orders:read'])
    const keyId = (await json<{ data: { id: string; name: string }[] }>(await call('/v1/api-keys', { token: owner.token }))).data.find((k) => k.name === 'notifications:read orders:read')?.id
    const ticket = (await json<{ ticket: string }>(await call('/v1/me/live-tickets', { method: 'POST', token: second.token }))).ticket

    const bySession = (await openLive({ token: owner.token })).socket as Socket
    const byTicketOfSecond = (await openLive({ ticket })).socket as Socket
    const byKey = (await openLive({ token: key })).socket as Socket

    expect((await call('/v1/auth/logout', { method: 'POST', token: second.token })).status).toBe(204)
    expect(await within(byTicketOfSecond.closed)).toBe(4001)
    expect((await call(`/v1/api-keys/${keyId}`, { method: 'DELETE', token: owner.token })).status).toBe(204)
    expect(await within(byKey.closed)).toBe(4001)
    expect(await within(bySession.closed, 300)).toBe('open')
    bySession.ws.close(1000)
  })

  it('opens nothing with a ticket whose credential ended before it was used', async () => {
    const owner = await register('live-stale-ticket')
    const second = await json<{ token: string }>(await call('/v1/auth/login', { method: 'POST', json: { email: owner.user.email, password: 'correct horse battery staple' } }))
    const { ticket } = await json<{ ticket: string }>(await call('/v1/me/live-tickets', { method: 'POST', token: second.token }))
    expect((await call('/v1/auth/logout', { method: 'POST', token: second.token })).status).toBe(204)
    const res = await openLive({ ticket })
    expect(res.status).toBe(401)
    expect(res.socket).toBeUndefined()
  })

  it('ends every socket of an account that is frozen or erased', async () => {
    const admin = await register('live-admin')
    await makeStaff(admin.user.id, 'admin')
    const frozen = await register('live-frozen')
    const socket = (await openLive({ token: frozen.token })).socket as Socket
    expect((await call(`/v1/admin/users/${frozen.user.id}/freeze`, { method: 'POST', token: admin.token })).status).toBe(200)
    expect(await within(socket.closed)).toBe(4001)

    const erased = await register('live-erased')
    const other = (await openLive({ token: erased.token })).socket as Socket
    expect((await call('/v1/me', { method: 'DELETE', token: erased.token })).status).toBe(204)
    expect(await within(other.closed)).toBe(4001)
  })
})
