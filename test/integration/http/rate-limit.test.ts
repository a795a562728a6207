import { describe, expect, it } from 'vitest'
import { call, json, register } from '../support/api'
import { fetchWith, middlewareApp } from '../support/test-app'

const tight = {
  read: { limit: 3, windowSeconds: 60 },
  write: { limit: 2, windowSeconds: 60 },
  auth: { limit: 2, windowSeconds: 60 },
  loginFailuresPerAccountAndIp: { limit: 5, windowSeconds: 900 },
  loginFailuresPerIp: { limit: 50, windowSeconds: 900 },
}

function app() {
  let runs = 0
  const a = middlewareApp()
    .get('/v1/thing', (c) => c.json({ runs: ++runs }))
    .post('/v1/thing', (c) => c.json({ runs: ++runs }, 201))
  return { app: a, runs: () => runs }
}

const request = (method: string, token?: string, ip = '203.0.113.7') =>
  new Request('https://souk.test/v1/thing', {
    method,
    headers: { 'cf-connecting-ip': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  })

describe('rate limiting', () => {
  it('answers 429 rate_limited past the quota, with Retry-After and the IETF fields, and runs nothing', async () => {
    const { token } = await register('limited')
    const { app: a, runs } = app()
    const ok1 = await fetchWith(a, request('POST', token), { RATE_LIMITS: tight })
    expect(ok1.status).toBe(201)
    expect(ok1.headers.get('ratelimit-policy')).toBe('"write";q=2;w=60')
    expect(ok1.headers.get('ratelimit')).toMatch(/^"write";r=1;t=\d+$/)
    expect((await fetchWith(a, request('POST', token), { RATE_LIMITS: tight })).headers.get('ratelimit')).toMatch(/^"write";r=0;t=\d+$/)
    const denied = await fetchWith(a, request('POST', token), { RATE_LIMITS: tight })
    expect(denied.status).toBe(429)
    expect(await json(denied)).toMatchObject({ code: 'rate_limited', status: 429 })
    expect(Number(denied.headers.get('retry-after'))).toBe(30)
    expect(denied.headers.get('ratelimit')).toMatch(/^"write";r=0;t=\d+$/)
    expect(runs()).toBe(2)

    // Reads have their own budget.
    expect((await fetchWith(a, request('GET', token), { RATE_LIMITS: tight })).status).toBe(200)
  })

  it('counts each user, API key and anonymous IP apart', async () => {
    const alice = await register('limit-a')
    const bob = await register('limit-b')
    const { app: a } = app()
    for (let i = 0; i < 3; i++) await fetchWith(a, request('GET', alice.token), { RATE_LIMITS: tight })
    expect((await fetchWith(a, request('GET', alice.token), { RATE_LIMITS: tight })).status).toBe(429)
    expect((await fetchWith(a, request('GET', bob.token), { RATE_LIMITS: tight })).status).toBe(200)

    const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`
    for (let i = 0; i < 3; i++) expect((await fetchWith(a, request('GET', undefined, ip), { RATE_LIMITS: tight })).status).toBe(200)
    expect((await fetchWith(a, request('GET', undefined, ip), { RATE_LIMITS: tight })).status).toBe(429)
    expect((await fetchWith(a, request('GET', undefined, '192.0.2.99'), { RATE_LIMITS: tight })).status).toBe(200)
  })

  it('holds under a burst: of 60 simultaneous reads exactly the quota pass', async () => {
    const { token } = await register('burst')
    const { app: a, runs } = app()
    const quota = { ...tight, read: { limit: 25, windowSeconds: 60 } }
    const statuses = (await Promise.all(Array.from({ length: 60 }, () => fetchWith(a, request('GET', token), { RATE_LIMITS: quota })))).map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(25)
    expect(statuses.filter((s) => s === 429)).toHaveLength(35)
    expect(runs()).toBe(25)
  })
})

describe('rate limiting around credentials', () => {
  it('charges bad tokens to the IP, so guessing tokens is throttled like guessing passwords', async () => {
    const { app: a, runs } = app()
    const ip = '203.0.113.200'
    const guess = () => fetchWith(a, request('GET', `st_${btoa(crypto.randomUUID()).slice(0, 43).replace(/[+/=]/g, 'x').padEnd(43, 'x')}`, ip), { RATE_LIMITS: tight })
    expect((await guess()).status).toBe(401)
    expect((await guess()).status).toBe(401)
    const throttled = await guess()
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('ratelimit-policy')).toBe('"auth";q=2;w=60')
    expect(runs()).toBe(0)
  })

  it("counts all of a user's credentials against one quota: minting keys does not multiply it", async () => {
    const { token } = await register('one-quota')
    const keys: string[] = []
    for (const name of ['k1', 'k2']) {
      keys.push((await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token, json: { name, scopes: ['account:read'] } }))).key)
    }
    const { app: a } = app()
    const statuses: number[] = []
    for (const credential of [token, ...keys, token]) statuses.push((await fetchWith(a, request('GET', credential), { RATE_LIMITS: tight })).status)
    expect(statuses).toEqual([200, 200, 200, 429])
  })
})
