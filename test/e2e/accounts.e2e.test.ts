import { describe, expect, it } from 'vitest'
import { email, http, PASSWORD, type Json } from '../support/node/client'

describe('accounts over real HTTP', () => {
  it('walks a newcomer through register, me, an API key, and logout', async () => {
    const address = email('e2e')
    const reg = await http('/v1/auth/register', { method: 'POST', json: { email: address, password: PASSWORD, displayName: 'E2E' } })
    expect(reg.status).toBe(201)
    const { token, user } = (await reg.json()) as { token: string; user: Json }
    expect(user).toMatchObject({ email: address, role: 'user' })

    const me = await http('/v1/me', { token })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ id: user.id })

    const created = await http('/v1/api-keys', { method: 'POST', token, json: { name: 'e2e', scopes: ['account:read'] } })
    expect(created.status).toBe(201)
    const { key } = (await created.json()) as { key: string }
    expect((await http('/v1/me', { token: key })).status).toBe(200)

    expect((await http('/v1/auth/logout', { method: 'POST', token })).status).toBe(204)
    expect((await http('/v1/me', { token })).status).toBe(401)
    expect((await http('/v1/me', { token: key })).status).toBe(200)
  })

  it('lets the seeded staff account log in with the documented password', async () => {
    const res = await http('/v1/auth/login', { method: 'POST', json: { email: 'admin@souk.test', password: 'souk-admin-dev-only' } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { user: Json }).user).toMatchObject({ email: 'admin@souk.test', role: 'admin' })
  })

  it('continues the caller’s trace and names every response', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const res = await http('/v1/me', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
    expect(res.status).toBe(401)
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    expect(res.headers.get('traceparent')).not.toContain('00f067aa0ba902b7')
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-z]{26}$/)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const problem = (await res.json()) as Json
    expect(problem.requestId).toBe(res.headers.get('x-request-id'))
  })

  it('replays an idempotent POST over the wire', async () => {
    const key = `e2e-${crypto.randomUUID()}`
    const body = { email: email('idem'), password: PASSWORD, displayName: 'Idem' }
    const first = await http('/v1/auth/register', { method: 'POST', json: body, headers: { 'Idempotency-Key': key } })
    const again = await http('/v1/auth/register', { method: 'POST', json: body, headers: { 'Idempotency-Key': key } })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.text()).toBe(await first.text())
    const changed = await http('/v1/auth/register', { method: 'POST', json: { ...body, displayName: 'Other' }, headers: { 'Idempotency-Key': key } })
    expect(changed.status).toBe(422)
  })

  it('tells every caller its rate limit', async () => {
    const me = await http('/v1/me')
    expect(me.headers.get('ratelimit-policy')).toMatch(/^"read";q=\d+;w=\d+$/)
    expect(me.headers.get('ratelimit')).toMatch(/^"read";r=\d+;t=\d+$/)
  })

  it('reports healthy dependencies', async () => {
    const res = await http('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok' })
  })
})
