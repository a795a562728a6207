import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { CURRENT_API_VERSION } from '../../../src/core/api-versions'
import type { AppEnv } from '../../../src/env'
import { apiVersion } from '../../../src/http/api-version'
import { Problem } from '../../../src/http/problem'
import { notFound, renderProblem } from '../../../src/http/render-problem'
import { problemOf, TEST_REQUEST_ID } from './harness'

function testApp() {
  const ran: string[] = []
  const app = new Hono<AppEnv>()
    .onError(renderProblem)
    .notFound(notFound)
    .use(async (c, next) => {
      c.set('requestId', TEST_REQUEST_ID)
      await next()
    })
    .use(apiVersion())
    .use(async (_, next) => {
      ran.push('later middleware')
      await next()
    })
    .get('/t', (c) => {
      ran.push('handler')
      return c.json({ version: c.var.version })
    })
    .get('/fail', () => {
      throw new Problem(409, 'email_taken')
    })
    .get('/upstream', () => fetch('data:text/plain,from elsewhere')) // immutable headers
  return { app, ran }
}

describe('apiVersion', () => {
  it('answers in the current version when none is pinned, and tells handlers which', async () => {
    const { app } = testApp()
    const res = await app.request('/t')
    expect(res.status).toBe(200)
    expect(res.headers.get('Souk-Version')).toBe(CURRENT_API_VERSION)
    expect(await res.json()).toEqual({ version: CURRENT_API_VERSION })
  })

  it('echoes a pinned known version', async () => {
    const { app } = testApp()
    const res = await app.request('/t', { headers: { 'souk-version': '2026-12-05' } })
    expect(res.headers.get('Souk-Version')).toBe('2026-12-05')
    expect(await res.json()).toEqual({ version: '2026-12-05' })
  })

  it('names the version on problems, 404s and responses with immutable headers', async () => {
    const { app } = testApp()
    for (const path of ['/fail', '/nowhere', '/upstream']) {
      const res = await app.request(path)
      expect(res.headers.get('Souk-Version'), path).toBe(CURRENT_API_VERSION)
    }
  })

  it.each(['2020-01-01', 'latest', '', '2026-12-5'])('refuses %j as 400 unknown_version before anything later runs', async (value) => {
    const { app, ran } = testApp()
    const res = await app.request('/t', { headers: { 'Souk-Version': value } })
    const body = await problemOf(res, 400)
    expect(body).toMatchObject({ code: 'unknown_version', versions: ['2026-12-05'], requestId: TEST_REQUEST_ID })
    expect(body.detail).toContain('2026-12-05')
    expect(res.headers.get('Souk-Version')).toBe(CURRENT_API_VERSION)
    expect(ran).toEqual([])
  })
})
