import { createSoukClient } from '@souk/client'
import { describe, expect, it } from 'vitest'
import { baseUrl, email, PASSWORD } from '../support/node/client'

/**
 * Accounts over real HTTP, called through @souk/client: the client openapi-typescript and
 * openapi-fetch generate from GET /v1/openapi.json, used unmodified, as a third party would. Paths,
 * bodies and answers are typed by the document, so a contract change that breaks the client fails
 * typecheck here, and one the document does not admit fails at run time.
 */
describe('accounts over real HTTP, through the generated client', () => {
  const souk = () => createSoukClient(baseUrl())

  it('walks a newcomer through register, me, an API key, and logout', async () => {
    const address = email('e2e')
    const reg = await souk().POST('/v1/auth/register', { body: { email: address, password: PASSWORD, displayName: 'E2E' } })
    expect(reg.response.status).toBe(201)
    if (!reg.data) throw new Error(`register failed: ${JSON.stringify(reg.error)}`)
    const { token, user } = reg.data
    expect(user).toMatchObject({ email: address, role: 'user' })

    const asUser = createSoukClient(baseUrl(), { token })
    const me = await asUser.GET('/v1/me')
    expect(me.response.status).toBe(200)
    expect(me.data?.id).toBe(user.id)

    const created = await asUser.POST('/v1/api-keys', { body: { name: 'e2e', scopes: ['account:read'] } })
    expect(created.response.status).toBe(201)
    if (!created.data) throw new Error(`api key failed: ${JSON.stringify(created.error)}`)
    const asKey = createSoukClient(baseUrl(), { token: created.data.key })
    expect((await asKey.GET('/v1/me')).response.status).toBe(200)

    expect((await asUser.POST('/v1/auth/logout')).response.status).toBe(204)
    const afterLogout = await asUser.GET('/v1/me')
    expect(afterLogout.response.status).toBe(401)
    expect(afterLogout.error?.code).toBe('unauthenticated')
    expect((await asKey.GET('/v1/me')).response.status).toBe(200)
  })

  it('lets the seeded staff account log in with the documented password', async () => {
    const { response, data } = await souk().POST('/v1/auth/login', { body: { email: 'admin@souk.test', password: 'souk-admin-dev-only' } })
    expect(response.status).toBe(200)
    expect(data?.user).toMatchObject({ email: 'admin@souk.test', role: 'admin' })
  })

  it('continues the caller’s trace and names every response', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const { response: res, error: problem } = await souk().GET('/v1/me', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
    expect(res.status).toBe(401)
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    expect(res.headers.get('traceparent')).not.toContain('00f067aa0ba902b7')
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-z]{26}$/)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(problem?.requestId).toBe(res.headers.get('x-request-id'))
  })

  it('replays an idempotent POST over the wire', async () => {
    const key = `e2e-${crypto.randomUUID()}`
    const body = { email: email('idem'), password: PASSWORD, displayName: 'Idem' }
    const params = { header: { 'Idempotency-Key': key } }
    const first = await souk().POST('/v1/auth/register', { body, params, parseAs: 'text' })
    const again = await souk().POST('/v1/auth/register', { body, params, parseAs: 'text' })
    expect(first.response.status).toBe(201)
    expect(again.response.status).toBe(201)
    expect(again.response.headers.get('idempotent-replayed')).toBe('true')
    expect(again.data).toBe(first.data)
    const changed = await souk().POST('/v1/auth/register', { body: { ...body, displayName: 'Other' }, params })
    expect(changed.response.status).toBe(422)
    expect(changed.error?.code).toBe('idempotency_key_reused')
  })

  it('tells every caller its rate limit', async () => {
    const { response } = await souk().GET('/v1/me')
    expect(response.headers.get('ratelimit-policy')).toMatch(/^"read";q=\d+;w=\d+$/)
    expect(response.headers.get('ratelimit')).toMatch(/^"read";r=\d+;t=\d+$/)
  })

  it('reports healthy dependencies', async () => {
    const { response, data } = await souk().GET('/health')
    expect(response.status).toBe(200)
    expect(data).toMatchObject({ status: 'ok' })
  })
})
