import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/platform/runtime'
import { call, json, register, type Registered } from '../support/api'

type Profile = { id: string; displayName: string; memberSince: string; verifiedSeller: boolean; rating: { average: number | null; count: number } }
type Review = { author: { id: string; displayName: string }; authorRole: string; rating: number; comment: string | null; createdAt: string }
type Page = { data: Review[]; nextCursor: string | null }

/** A completed order between the two, written as the order machine leaves it (the lifecycle itself is tested elsewhere). */
async function completedOrder(seller: Registered, buyer: Registered): Promise<string> {
  const id = newId('ord')
  const at = new Date().toISOString()
  await env.DB.prepare(
    `INSERT INTO orders (id, buyer_id, seller_id, status, currency, total, items, source, version, created_at, updated_at)
     VALUES (?, ?, ?, 'completed', 'USD', 1000, '[]', 'checkout', 1, ?, ?)`,
  ).bind(id, buyer.user.id, seller.user.id, at, at).run()
  return id
}

const review = (author: Registered, orderId: string, body: { rating: number; comment?: string }) =>
  call(`/v1/orders/${orderId}/reviews`, { method: 'POST', token: author.token, json: body })

const profile = async (id: string) => json<Profile>(await call(`/v1/users/${id}`))

describe('GET /v1/users/{id}', () => {
  it('shows the public profile, and keeps the rating up to date as reviews are written (and not twice for a repeat)', async () => {
    const seller = await register('Ana')
    const before = await call(`/v1/users/${seller.user.id}`)
    expect(before.status).toBe(200)
    const body = await json<Profile>(before)
    expect(body).toEqual({ id: seller.user.id, displayName: 'Ana', memberSince: expect.any(String), verifiedSeller: false, rating: { average: null, count: 0 }, feedback: { average: null, count: 0 } })
    expect(body).not.toHaveProperty('email')

    const ratings = [5, 4, 4]
    for (const rating of ratings) {
      const buyer = await register('buyer')
      const orderId = await completedOrder(seller, buyer)
      expect((await review(buyer, orderId, { rating })).status).toBe(201)
      expect((await review(buyer, orderId, { rating: 1 })).status).toBe(409) // a repeat counts nothing
      expect((await review(seller, orderId, { rating: 2 })).status).toBe(201) // about the buyer, not the seller
    }
    expect((await profile(seller.user.id)).rating).toEqual({ average: 4.33, count: 3 })
    const rows = await env.DB.prepare('SELECT count(*) AS n, sum(rating) AS s FROM reviews WHERE subject_id = ?').bind(seller.user.id).first<{ n: number; s: number }>()
    expect(rows).toEqual({ n: 3, s: 13 })
  })

  it('carries Cache-Control and an ETag, and answers 304 to a current If-None-Match and 200 once the rating changed', async () => {
    const seller = await register('etag-seller')
    const first = await call(`/v1/users/${seller.user.id}`)
    const etag = first.headers.get('etag')
    expect(etag).toMatch(/^W?\/?".+"$/)
    expect(first.headers.get('cache-control')).toBe('public, no-cache')
    const again = await call(`/v1/users/${seller.user.id}`, { headers: { 'if-none-match': etag ?? '' } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    const buyer = await register('etag-buyer')
    expect((await review(buyer, await completedOrder(seller, buyer), { rating: 3 })).status).toBe(201)
    const changed = await call(`/v1/users/${seller.user.id}`, { headers: { 'if-none-match': etag ?? '' } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
  })

  it('answers 404 for an unknown or erased user and 400 for what is not a user id', async () => {
    const gone = await register('gone')
    expect((await call('/v1/me', { method: 'DELETE', token: gone.token })).status).toBe(204)
    for (const id of [gone.user.id, newId('usr')]) {
      for (const path of [`/v1/users/${id}`, `/v1/users/${id}/reviews`]) {
        const res = await call(path)
        expect(res.status, path).toBe(404)
        expect(await json(res)).toMatchObject({ status: 404, code: 'not_found' })
      }
    }
    for (const path of ['/v1/users/lst_nope', '/v1/users/usr_%27%20OR%201%3D1/reviews']) {
      const res = await call(path)
      expect(res.status, path).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })
})

describe('GET /v1/users/{id}/reviews', () => {
  it('lists the reviews others wrote about the user, newest first, page by page, with a 304 for a current tag', async () => {
    const seller = await register('reviewed')
    for (const rating of [1, 2, 3]) {
      const buyer = await register(`buyer-${rating}`)
      const orderId = await completedOrder(seller, buyer)
      expect((await review(buyer, orderId, { rating, comment: `rated ${rating}` })).status).toBe(201)
      expect((await review(seller, orderId, { rating: 5 })).status).toBe(201) // the seller's own review is about someone else
      await new Promise((r) => setTimeout(r, 5)) // distinct createdAt, so "newest first" is observable
    }
    const first = await call(`/v1/users/${seller.user.id}/reviews?limit=2`)
    expect(first.status).toBe(200)
    const one = await json<Page>(first)
    expect(one.data.map((r) => [r.rating, r.comment, r.authorRole, r.author.displayName])).toEqual([
      [3, 'rated 3', 'buyer', 'buyer-3'],
      [2, 'rated 2', 'buyer', 'buyer-2'],
    ])
    const two = await json<Page>(await call(`/v1/users/${seller.user.id}/reviews?limit=2&cursor=${one.nextCursor}`))
    expect(two.data.map((r) => r.rating)).toEqual([1])
    expect(two.nextCursor).toBeNull()

    const etag = first.headers.get('etag') ?? ''
    expect(first.headers.get('cache-control')).toBe('public, no-cache')
    expect((await call(`/v1/users/${seller.user.id}/reviews?limit=2`, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })

  it('answers 400 problems for a bad limit or cursor', async () => {
    const user = await register('bad-query')
    for (const query of ['limit=0', 'limit=1000', 'cursor=%21%21']) {
      const res = await call(`/v1/users/${user.user.id}/reviews?${query}`)
      expect(res.status, query).toBe(400)
      expect(await json(res)).toMatchObject({ code: 'validation_failed' })
    }
  })
})
