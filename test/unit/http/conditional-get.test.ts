import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { contentTag, notModified, readModelPolicy, revalidateEachTime } from '../../../src/http/conditional-get'
import { captureLog, sessionUser, testContext } from './harness'

const body = { data: [{ id: 'lst_01jd3v6w2k8m4n5p6q7r8s9t0v', title: 'Brass lamp' }], nextCursor: null }

/** A read answered through `notModified`, anonymous or signed in, with a route-set Vary already there. */
function testApp(signedIn: boolean) {
  const { log } = captureLog()
  return new Hono<AppEnv>()
    .use(testContext({ log, ...(signedIn ? { principal: sessionUser() } : {}) }))
    .get('/search', async (c) => {
      c.header('Vary', 'Souk-Bookmark')
      if (notModified(c, await contentTag(body), readModelPolicy(c))) return c.body(null, 304)
      return c.json(body, 200)
    })
    .get('/listing', (c) => (notModified(c, '"7"', revalidateEachTime) ? c.body(null, 304) : c.json({ version: 7 }, 200)))
}

describe('conditional GET', () => {
  it('tags a body by its content: the same JSON, the same weak tag; any change, another', async () => {
    expect(await contentTag(body)).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/)
    expect(await contentTag(structuredClone(body))).toBe(await contentTag(body))
    expect(await contentTag({ ...body, nextCursor: 'x' })).not.toBe(await contentTag(body))
  })

  it('answers 200 with the tag and the anonymous policy, then 304 without a body to the same tag', async () => {
    const app = testApp(false)
    const first = await app.request('/search')
    expect(first.status).toBe(200)
    const tag = first.headers.get('etag') ?? ''
    expect(tag).toBe(await contentTag(body))
    expect(first.headers.get('cache-control')).toBe('public, max-age=5')
    expect(first.headers.get('vary')).toBe('Souk-Bookmark, Authorization')

    const again = await app.request('/search', { headers: { 'if-none-match': tag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(tag)
    expect(again.headers.get('cache-control')).toBe('public, max-age=5')
    expect((await app.request('/search', { headers: { 'if-none-match': 'W/"stale"' } })).status).toBe(200)
  })

  it('keeps a signed-in caller’s answer private and revalidated', async () => {
    const res = await testApp(true).request('/search')
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    expect(res.headers.get('vary')).toBe('Souk-Bookmark, Authorization')
  })

  it('lets anyone store a versioned resource but never reuse it unasked', async () => {
    const app = testApp(false)
    const res = await app.request('/listing')
    expect(res.headers.get('etag')).toBe('"7"')
    expect(res.headers.get('cache-control')).toBe('public, no-cache')
    expect(res.headers.get('vary')).toBeNull()
    expect((await app.request('/listing', { headers: { 'if-none-match': 'W/"7"' } })).status).toBe(304)
    expect((await app.request('/listing', { headers: { 'if-none-match': '"6"' } })).status).toBe(200)
  })
})
