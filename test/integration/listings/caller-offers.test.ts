import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { listingStub } from '../../../src/listings/listing-object'
import type { StoredEvent } from '../../../src/listings/live-message'
import { toEnvelope } from '../../../src/listings/outbox'
import { eventually } from '../checkout/checkout-fixtures'
import { call, json, register, type Registered } from '../support/api'

/** GET /v1/offers: the caller's offers across listings, from the offers read model. */

const usd = (amount: number) => ({ amount, currency: 'USD' as const })
type Offer = { id: string; listingId: string; buyerId: string; sellerId: string; status: string; amount: { amount: number }; reservation?: unknown }
type Page = { data: Offer[]; nextCursor: string | null }

async function listing(seller: Registered, title: string): Promise<string> {
  const res = await call('/v1/listings', { method: 'POST', token: seller.token, json: { title, category: 'kitchen', format: 'fixed_price', price: usd(5000), quantity: 3, acceptsOffers: true } })
  expect(res.status).toBe(201)
  return (await json<{ id: string }>(res)).id
}

async function post(token: string, path: string, body?: unknown): Promise<Offer> {
  const res = await call(path, { method: 'POST', token, json: body })
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  return json<Offer>(res)
}

const offers = async (token: string, query: string): Promise<Page> => {
  const res = await call(`/v1/offers?${query}`, { token })
  expect(res.status, await res.clone().text()).toBe(200)
  return json<Page>(res)
}

const statuses = (p: Page) => p.data.map((o) => [o.id, o.status])

/** Until the read model shows `query`'s page as `want` (the projection follows the events). */
const projected = (token: string, query: string, want: (string | undefined)[][]) => eventually(() => offers(token, query), (p) => JSON.stringify(statuses(p)) === JSON.stringify(want))

describe('GET /v1/offers', () => {
  it("lists a buyer's offers across listings and a seller's on their listings, newest first, by status, page by page", async () => {
    const [seller, other, ana, bo] = [await register('co-seller'), await register('co-other'), await register('co-ana'), await register('co-bo')]
    const mug = await listing(seller, 'Mug')
    const jug = await listing(seller, 'Jug')
    const pot = await listing(other, 'Pot')

    const onMug = await post(ana.token, `/v1/listings/${mug}/offers`, { amount: usd(3000) })
    const onPot = await post(ana.token, `/v1/listings/${pot}/offers`, { amount: usd(2000) })
    const boOnJug = await post(bo.token, `/v1/listings/${jug}/offers`, { amount: usd(4000) })
    const counter = await post(seller.token, `/v1/offers/${onMug.id}/counter`, { amount: usd(4500) })
    await post(seller.token, `/v1/offers/${boOnJug.id}/accept`)
    await post(other.token, `/v1/offers/${onPot.id}/decline`)

    const anas = await projected(ana.token, 'role=buyer', [
      [counter.id, 'pending'],
      [onPot.id, 'declined'],
      [onMug.id, 'countered'],
    ])
    expect(anas.data.every((o) => o.buyerId === ana.user.id)).toBe(true)
    expect(anas.data[0]).toMatchObject({ listingId: mug, sellerId: seller.user.id, amount: { amount: 4500 }, from: 'seller', counters: onMug.id })

    await projected(seller.token, 'role=seller', [
      [counter.id, 'pending'],
      [boOnJug.id, 'accepted'],
      [onMug.id, 'countered'],
    ])
    // The reservation is the listing's to show (GET /v1/offers/{id}), not the read model's.
    const accepted = await offers(seller.token, 'role=seller&status=accepted')
    expect(statuses(accepted)).toEqual([[boOnJug.id, 'accepted']])
    expect(accepted.data[0]?.reservation).toBeUndefined()
    expect((await json<Offer>(await call(`/v1/offers/${boOnJug.id}`, { token: seller.token }))).reservation).toMatchObject({ id: boOnJug.id })

    expect(statuses(await offers(ana.token, 'role=buyer&status=pending'))).toEqual([[counter.id, 'pending']])
    expect(await offers(ana.token, 'role=seller')).toEqual({ data: [], nextCursor: null })
    expect(statuses(await offers(other.token, 'role=seller'))).toEqual([[onPot.id, 'declined']])

    const first = await offers(ana.token, 'role=buyer&limit=2')
    expect(first.data.map((o) => o.id)).toEqual([counter.id, onPot.id])
    const second = await offers(ana.token, `role=buyer&limit=2&cursor=${first.nextCursor}`)
    expect(second).toMatchObject({ data: [{ id: onMug.id }], nextCursor: null })
  })

  it('answers 401 without a token and 400 for a missing or unknown role, an unknown status or a bad page', async () => {
    const ana = await register('co-bad')
    expect((await call('/v1/offers?role=buyer')).status).toBe(401)
    for (const query of ['', 'role=owner', 'role=buyer&status=open', 'role=buyer&limit=0', 'role=buyer&cursor=%21%21']) {
      const res = await call(`/v1/offers?${query}`, { token: ana.token })
      expect(res.status, query).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })

  it('applies each offer event once and in order: a redelivered or older event changes nothing', async () => {
    const [seller, ana] = [await register('co-order-seller'), await register('co-order-ana')]
    const mug = await listing(seller, 'Teapot')
    const made = await post(ana.token, `/v1/listings/${mug}/offers`, { amount: usd(3000) })
    await post(seller.token, `/v1/offers/${made.id}/decline`)
    await projected(ana.token, 'role=buyer', [[made.id, 'declined']])

    const events = await listingStub(env, mug).eventsSince(0)
    const created = events.find((e) => e.type === 'offer.created') as StoredEvent
    const batch = createMessageBatch('souk-events-projection', [{ id: 'late-created', timestamp: new Date(), attempts: 2, body: toEnvelope(mug, created) }])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['late-created'])
    expect(statuses(await offers(ana.token, 'role=buyer'))).toEqual([[made.id, 'declined']])
  })
})
