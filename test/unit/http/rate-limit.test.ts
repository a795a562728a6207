import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { routeClass } from '../../../src/http/rate-limit'

/** The middleware itself needs the rate limiter Durable Object (integration tests); this is its pure table. */
const app = new Hono<AppEnv>().all('*', (c) => c.text(routeClass(c) ?? 'unmetered'))

const classOf = async (method: string, path: string): Promise<string> => (await app.request(path, { method })).text()

describe('routeClass', () => {
  it.each([
    ['POST', '/v1/auth/register', 'auth'],
    ['POST', '/v1/auth/login', 'auth'],
    ['GET', '/v1/me', 'read'],
    ['GET', '/v1/api-keys', 'read'],
    ['GET', '/v1/auth/sessions', 'read'],
    ['POST', '/v1/api-keys', 'write'],
    ['PUT', '/v1/listings/lst_1', 'write'],
    ['PATCH', '/v1/listings/lst_1', 'write'],
    ['DELETE', '/v1/api-keys/key_1', 'write'],
    ['POST', '/v1/authors', 'write'],
    ['POST', '/auth/login', 'write'],
    ['POST', '/v1/webhooks/payments', 'unmetered'],
    ['POST', '/v1/webhooks/carriers/ups', 'unmetered'],
  ])('counts %s %s against %s', async (method, path, expected) => {
    expect(await classOf(method, path)).toBe(expected)
  })

  it('counts HEAD as a read', async () => {
    // Hono answers HEAD from the GET route with an empty body, so ask the function directly.
    let seen: string | null | undefined
    const probe = new Hono<AppEnv>().all('*', (c) => {
      seen = routeClass(c)
      return c.body(null, 204)
    })

    await probe.request('/v1/me', { method: 'HEAD' })

    expect(seen).toBe('read')
  })

  it('counts logout against the caller’s write quota, not the per-IP auth quota meant for register and login', async () => {
    // src/http/rate-limit.ts and src/rate-limits/rate-limit-policy.ts both say `auth` is for register and login
    // only, "everything else by method". A logout is an authenticated POST, so it is a write.
    expect(await classOf('POST', '/v1/auth/logout')).toBe('write')
  })
})
