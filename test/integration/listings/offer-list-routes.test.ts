import { describe, expect, it } from 'vitest'
import { call, json, register, type Registered } from '../support/api'

const usd = (amount: number) => ({ amount, currency: 'USD' as const })
type Offer = { id: string; buyerId: string; from: string; amount: { amount: number }; status: string }
type Page = { data: Offer[]; nextCursor: string | null }

async function mugListing(seller: Registered): Promise<string> {
  const res = await call('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Mug', category: 'kitchen', format: 'fixed_price', price: usd(5000), quantity: 3, acceptsOffers: true } })
  return (await json<{ id: string }>(res)).id
}

async function offer(buyer: Registered, listingId: string, amount: number): Promise<Offer> {
  const res = await call(`/v1/listings/${listingId}/offers`, { method: 'POST', token: buyer.token, json: { amount: usd(amount) } })
  expect(res.status).toBe(201)
  return json<Offer>(res)
}

const offersOn = (token: string, listingId: string, query = '') => call(`/v1/listings/${listingId}/offers${query}`, { token })

describe('GET /v1/listings/{id}/offers', () => {
  it('shows the seller every offer, live and over, newest first and page by page; each buyer only their own', async () => {
    const seller = await register('offers-seller')
    const [ana, bo, stranger] = [await register('ana'), await register('bo'), await register('stranger')]
    const listingId = await mugListing(seller)
    const first = await offer(ana, listingId, 3000)
    const countered = await call(`/v1/offers/${first.id}/counter`, { method: 'POST', token: seller.token, json: { amount: usd(4500) } })
    expect(countered.status).toBe(201)
    const counter = await json<Offer>(countered)
    const fromBo = await offer(bo, listingId, 3500)

    const p1 = await offersOn(seller.token, listingId, '?limit=2')
    expect(p1.status).toBe(200)
    const one = await json<Page>(p1)
    expect(one.data.map((o) => [o.id, o.status])).toEqual([
      [fromBo.id, 'pending'],
      [counter.id, 'pending'],
    ])
    const two = await json<Page>(await offersOn(seller.token, listingId, `?limit=2&cursor=${one.nextCursor}`))
    expect(two.data.map((o) => [o.id, o.status])).toEqual([[first.id, 'countered']])
    expect(two.nextCursor).toBeNull()

    const anas = await json<Page>(await offersOn(ana.token, listingId))
    expect(anas.data.map((o) => o.id)).toEqual([counter.id, first.id])
    expect(anas.data.every((o) => o.buyerId === ana.user.id)).toBe(true)
    expect((await json<Page>(await offersOn(bo.token, listingId))).data.map((o) => o.id)).toEqual([fromBo.id])
    expect(await json(await offersOn(stranger.token, listingId))).toEqual({ data: [], nextCursor: null })
  })

  it('answers 401 without a token, 404 for a listing that does not exist, 400 for bad input', async () => {
    const seller = await register('offers-bad')
    const listingId = await mugListing(seller)
    expect((await call(`/v1/listings/${listingId}/offers`)).status).toBe(401)
    const missing = await offersOn(seller.token, `lst_${'0'.repeat(26)}`)
    expect(missing.status).toBe(404)
    expect(await json(missing)).toMatchObject({ code: 'not_found' })
    for (const [id, query] of [[listingId, '?limit=0'], [listingId, '?limit=abc'], [listingId, '?cursor=%21%21'], ['not-a-listing', '']] as const) {
      const res = await offersOn(seller.token, id, query)
      expect(res.status, `${id}${query}`).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })
})
