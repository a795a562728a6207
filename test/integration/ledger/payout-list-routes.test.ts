import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { formatId } from '../../../src/core/ids'
import { call, json, register } from '../support/api'

type Payout = { id: string; amount: { amount: number; currency: string }; status: string; createdAt: string }
type Page = { data: Payout[]; nextCursor: string | null }

/** Writes payouts as the payout route does; ids carry their creation time, so they sort by it. */
async function seedPayouts(sellerId: string, statuses: ('pending' | 'paid' | 'failed')[]): Promise<string[]> {
  const start = Date.now() - 60_000
  const ids = statuses.map((_, i) => formatId('pyo', start + i * 1000, crypto.getRandomValues(new Uint8Array(10))))
  await env.DB.batch(
    statuses.map((status, i) =>
      env.DB.prepare('INSERT INTO payouts (id, seller_id, amount, currency, status, created_at) VALUES (?, ?, ?, ?, ?, ?)').bind(ids[i], sellerId, 100 * (i + 1), 'USD', status, new Date(start + i * 1000).toISOString()),
    ),
  )
  return ids
}

describe('GET /v1/me/payouts', () => {
  it('lists the caller’s payouts newest first, with amount and status, page by page', async () => {
    const seller = await register('payout-seller')
    const ids = await seedPayouts(seller.user.id, ['paid', 'failed', 'pending'])
    const first = await call('/v1/me/payouts?limit=2', { token: seller.token })
    expect(first.status).toBe(200)
    const one = await json<Page>(first)
    expect(one.data).toEqual([
      { id: ids[2], amount: { amount: 300, currency: 'USD' }, status: 'pending', createdAt: expect.any(String) },
      { id: ids[1], amount: { amount: 200, currency: 'USD' }, status: 'failed', createdAt: expect.any(String) },
    ])
    expect(one.nextCursor).toEqual(expect.any(String))
    const two = await json<Page>(await call(`/v1/me/payouts?limit=2&cursor=${one.nextCursor}`, { token: seller.token }))
    expect(two.data.map((p) => [p.id, p.status])).toEqual([[ids[0], 'paid']])
    expect(two.nextCursor).toBeNull()
  })

  it('never shows another seller’s payouts', async () => {
    const seller = await register('payout-owner')
    const other = await register('payout-other')
    await seedPayouts(seller.user.id, ['pending'])
    const res = await json<Page>(await call('/v1/me/payouts', { token: other.token }))
    expect(res).toEqual({ data: [], nextCursor: null })
  })

  it('answers 401 without a token and 400 problems for a bad limit or cursor', async () => {
    const seller = await register('payout-bad')
    expect((await call('/v1/me/payouts')).status).toBe(401)
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'cursor=%21%21not-ours']) {
      const res = await call(`/v1/me/payouts?${query}`, { token: seller.token })
      expect(res.status, query).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(await json(res)).toMatchObject({ code: 'validation_failed' })
    }
  })
})
