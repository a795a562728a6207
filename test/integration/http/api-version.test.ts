import { describe, expect, it } from 'vitest'
import { call, json, PASSWORD, register, uniqueEmail, type Json } from '../support/api'

type Doc = {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, { headers?: Record<string, unknown> }> }>>
}

const CURRENT = '2026-12-05'

describe('Souk-Version', () => {
  it('names the version on every response: a 200, a 404, a 401 and a 400', async () => {
    const answers = [
      [await call('/v1/listings'), 200],
      [await call('/health'), 200],
      [await call('/v1/no-such-route'), 404],
      [await call('/v1/me'), 401],
      [await call('/v1/auth/register', { method: 'POST', json: { email: 'not an address' } }), 400],
    ] as const
    for (const [res, status] of answers) {
      expect(res.status, res.url).toBe(status)
      expect(res.headers.get('Souk-Version'), res.url).toBe(CURRENT)
    }
  })

  it('echoes a pinned known version', async () => {
    const { token } = await register('pinned')
    const res = await call('/v1/me', { token, headers: { 'Souk-Version': CURRENT } })
    expect(res.status).toBe(200)
    expect(res.headers.get('Souk-Version')).toBe(CURRENT)
  })

  it('refuses a date that is no version with 400 unknown_version, before anything runs', async () => {
    const email = uniqueEmail('unversioned')
    const refused = await call('/v1/auth/register', {
      method: 'POST',
      headers: { 'Souk-Version': '2020-01-01' },
      json: { email, password: PASSWORD, displayName: 'unversioned' },
    })
    expect(refused.status).toBe(400)
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(refused.headers.get('Souk-Version')).toBe(CURRENT)
    expect(await json(refused)).toMatchObject({ code: 'unknown_version', versions: [CURRENT] })

    // Nothing was written: the same e-mail address registers now, rather than being taken.
    const registered = await call('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: 'unversioned' } })
    expect(registered.status).toBe(201)
  })

  it('refuses a bad value even where authentication would refuse first', async () => {
    const res = await call('/v1/me', { headers: { 'Souk-Version': 'latest', authorization: 'Bearer nonsense' } })
    expect(res.status).toBe(400)
    expect(await json<Json>(res)).toMatchObject({ code: 'unknown_version' })
  })

  it('is documented on every /v1 operation, asked and answered', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/')) continue
      for (const [method, op] of Object.entries(item)) {
        expect(op.parameters?.filter((p) => p.name === 'Souk-Version' && p.in === 'header'), `${method} ${path}`).toHaveLength(1)
        for (const [status, response] of Object.entries(op.responses)) expect(response.headers?.['Souk-Version'], `${method} ${path} ${status}`).toBeDefined()
      }
    }
  })
})
