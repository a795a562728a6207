import { describe, expect, it } from 'vitest'
import { call, json, register, type Json } from '../support/api'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString()

async function listFixed(token: string, over: Json = {}) {
  const res = await call('/v1/listings', { method: 'POST', token, json: { title: 'Oak stool', description: 'Hand cut', category: 'furniture', format: 'fixed_price', price: usd(8000), quantity: 2, acceptsOffers: true, ...over } })
  expect(res.status, await res.clone().text()).toBe(201)
  return { res, listing: await json<Json & { id: string; version: number }>(res) }
}

async function listAuction(token: string, auction: Json = {}) {
  const res = await call('/v1/listings', { method: 'POST', token, json: { title: 'Pocket watch', category: 'watches', format: 'auction', auction: { startingBid: usd(1000), endsAt: inAnHour(), ...auction } } })
  expect(res.status, await res.clone().text()).toBe(201)
  return json<Json & { id: string }>(res)
}

describe('listings over HTTP', () => {
  it('creates, reads with an ETag, edits with If-Match, and withdraws', async () => {
    const seller = await register('seller')
    const { res, listing } = await listFixed(seller.token)
    expect(res.headers.get('location')).toBe(`/v1/listings/${listing.id}`)
    expect(listing).toMatchObject({ sellerId: seller.user.id, status: 'active', format: 'fixed_price', price: usd(8000), quantity: 2, available: 2, acceptsOffers: true, version: 1 })

    const read = await call(`/v1/listings/${listing.id}`)
    expect(read.status).toBe(200)
    expect(read.headers.get('etag')).toBe('"1"')

    const patch = (ifMatch: string | undefined, body: Json) =>
      call(`/v1/listings/${listing.id}`, { method: 'PATCH', token: seller.token, json: body, ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}) })
    expect(await json(await patch(undefined, { title: 'x' }))).toMatchObject({ status: 428, code: 'precondition_required' })
    expect(await json(await patch('"7"', { title: 'x' }))).toMatchObject({ status: 412, code: 'version_conflict' })
    expect(await json(await patch('W/"1"', { title: 'x' }))).toMatchObject({ status: 412, code: 'version_conflict' })
    const edited = await patch('"1"', { title: 'Oak stool, oiled', price: usd(8500) })
    expect(edited.status).toBe(200)
    expect(edited.headers.get('etag')).toBe('"2"')
    expect(await json(edited)).toMatchObject({ title: 'Oak stool, oiled', price: usd(8500), version: 2 })
    expect(await json(await patch('"1"', { title: 'stale' }))).toMatchObject({ status: 412 })
    expect(await json(await patch('"2"', { quantity: 0 }))).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(await json(await patch('*', { price: { amount: 100, currency: 'EUR' } }))).toMatchObject({ status: 422, code: 'currency_mismatch' })

    expect((await call(`/v1/listings/${listing.id}`, { method: 'DELETE', token: seller.token })).status).toBe(204)
    expect(await json(await call(`/v1/listings/${listing.id}`))).toMatchObject({ status: 'withdrawn' })
    expect(await json(await patch('*', { title: 'back' }))).toMatchObject({ status: 409, code: 'listing_closed' })
  })

  it('lets only the seller change a listing, and only with the listings:write scope', async () => {
    const seller = await register('owner')
    const stranger = await register('stranger')
    const { listing } = await listFixed(seller.token)
    const edit = await call(`/v1/listings/${listing.id}`, { method: 'PATCH', token: stranger.token, headers: { 'if-match': '*' }, json: { title: 'mine now' } })
    expect(edit.status).toBe(403)
    expect((await call(`/v1/listings/${listing.id}`, { method: 'DELETE', token: stranger.token })).status).toBe(403)
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token: seller.token, json: { name: 'ro', scopes: ['account:read'] } }))
    expect((await call('/v1/listings', { method: 'POST', token: key.key, json: {} })).status).toBe(403)
    expect((await call('/v1/listings', { method: 'POST', json: {} })).status).toBe(401)
    expect(await json(await call(`/v1/listings/${listing.id}`))).toMatchObject({ title: 'Oak stool', version: 1 })
  })

  it('refuses listings whose terms do not hold together, creating nothing', async () => {
    const { token, user } = await register('bad-terms')
    const cases: [Json, number, string][] = [
      [{ format: 'fixed_price', title: 'x', category: 'a' }, 400, 'validation_failed'],
      [{ format: 'auction', title: 'x', category: 'a', price: usd(100) }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x', category: 'a', price: { amount: -5, currency: 'USD' } }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x', category: 'a', price: { amount: 12.5, currency: 'USD' } }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x', category: 'a', price: { amount: 1e12, currency: 'USD' } }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x', category: 'a', price: { amount: '100', currency: 'USD' } }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x', category: 'a', price: { amount: 100, currency: 'XXX' } }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x'.repeat(141), category: 'a', price: usd(100) }, 400, 'validation_failed'],
      [{ format: 'fixed_price', title: 'x', category: 'Not A Slug', price: usd(100) }, 400, 'validation_failed'],
      [{ format: 'auction', title: 'x', category: 'a', auction: { startingBid: usd(100), endsAt: new Date(Date.now() - 60_000).toISOString() } }, 422, 'ends_too_soon'],
      [{ format: 'auction', title: 'x', category: 'a', auction: { startingBid: usd(100), endsAt: new Date(Date.now() + 90 * 86_400_000).toISOString() } }, 422, 'ends_too_late'],
      [{ format: 'auction', title: 'x', category: 'a', auction: { startingBid: usd(500), reservePrice: usd(100), endsAt: inAnHour() } }, 422, 'invalid_listing'],
      [{ format: 'auction', title: 'x', category: 'a', auction: { startingBid: usd(500), buyNowPrice: usd(400), endsAt: inAnHour() } }, 422, 'invalid_listing'],
      [{ format: 'auction', title: 'x', category: 'a', acceptsOffers: true, auction: { startingBid: usd(500), endsAt: inAnHour() } }, 422, 'invalid_listing'],
      [{ format: 'auction', title: 'x', category: 'a', auction: { startingBid: usd(500), buyNowPrice: { amount: 900, currency: 'EUR' }, endsAt: inAnHour() } }, 400, 'validation_failed'],
      [{ format: 'auction', title: 'x', category: 'a', auction: { startingBid: usd(500), endsAt: 'tomorrow' } }, 400, 'validation_failed'],
    ]
    for (const [body, status, code] of cases) {
      const res = await call('/v1/listings', { method: 'POST', token, json: body })
      expect(res.status, JSON.stringify(body)).toBe(status)
      expect(await json(res), JSON.stringify(body)).toMatchObject({ code })
    }
    expect((await json<{ data: unknown[] }>(await call(`/v1/listings?sellerId=${user.id}`))).data).toEqual([])
  })

  it('runs an auction over HTTP: bids, proxy price, history with pseudonyms, refusals', async () => {
    const seller = await register('auctioneer')
    const ann = await register('ann')
    const ben = await register('ben')
    const auction = await listAuction(seller.token, { reservePrice: usd(4000), buyNowPrice: usd(9000) })
    expect(auction).toMatchObject({ currentPrice: usd(1000), bidCount: 0, reserveMet: false, buyNowPrice: usd(9000), minimumBid: usd(1000) })
    expect(auction).not.toHaveProperty('reservePrice')

    const bid = (token: string, amount: number, currency = 'USD') => call(`/v1/listings/${auction.id}/bids`, { method: 'POST', token, json: { maxAmount: { amount, currency } } })
    const first = await bid(ann.token, 2500)
    expect(first.status).toBe(201)
    expect(await json(first)).toMatchObject({ leading: true, currentPrice: usd(1000), bid: { maxAmount: usd(2500), id: expect.stringMatching(/^bid_/) } })
    expect(await json(await bid(ben.token, 2000))).toMatchObject({ leading: false, currentPrice: usd(2050) }) // one increment over Ben
    expect(await json(await bid(ben.token, 5000))).toMatchObject({ leading: true, currentPrice: usd(4000) })
    expect(await json(await call(`/v1/listings/${auction.id}`))).toMatchObject({ reserveMet: true, bidCount: 3 })
    expect(await json(await call(`/v1/listings/${auction.id}`))).not.toHaveProperty('buyNowPrice')

    expect(await json(await bid(seller.token, 9000))).toMatchObject({ status: 409, code: 'own_listing' })
    const tooLow = await json(await bid(ann.token, 4000))
    expect(tooLow).toMatchObject({ status: 409, code: 'bid_too_low', minimum: usd(4100) })
    expect(Object.keys(tooLow)).not.toEqual(expect.arrayContaining(['floor']))
    expect(tooLow).not.toHaveProperty('newBidderMinimum')
    expect(await json(await bid(ann.token, 9000, 'EUR'))).toMatchObject({ status: 422, code: 'currency_mismatch' })
    const badBodies = [{}, { maxAmount: 5 }, { maxAmount: { amount: 0, currency: 'USD' } }, { maxAmount: { amount: 1.5, currency: 'USD' } }, { maxAmount: { amount: 'lots', currency: 'USD' } }, { maxAmount: usd(5000), extra: 1 }]
    for (const body of badBodies) {
      expect((await call(`/v1/listings/${auction.id}/bids`, { method: 'POST', token: ann.token, json: body })).status, JSON.stringify(body)).toBe(400)
    }
    expect((await call(`/v1/listings/lst_${'0'.repeat(26)}/bids`, { method: 'POST', token: ann.token, json: { maxAmount: usd(5000) } })).status).toBe(404)

    const history = await json<{ data: { bidder: string; mine: boolean; price: Json }[]; nextCursor: string | null }>(await call(`/v1/listings/${auction.id}/bids`, { token: ben.token }))
    expect(history.data.map((h) => h.price)).toEqual([usd(4000), usd(2050), usd(1000)])
    expect(history.data.map((h) => h.mine)).toEqual([true, true, false])
    expect(history.nextCursor).toBeNull()
    const page1 = await json<{ data: { price: Json }[]; nextCursor: string }>(await call(`/v1/listings/${auction.id}/bids?limit=2`))
    expect(page1.data.map((h) => h.price)).toEqual([usd(4000), usd(2050)])
    const rest = await json<{ data: { price: Json }[]; nextCursor: string | null }>(await call(`/v1/listings/${auction.id}/bids?limit=2&cursor=${page1.nextCursor}`))
    expect(rest).toEqual({ data: [expect.objectContaining({ price: usd(1000) })], nextCursor: null })
    expect(new Set(history.data.map((h) => h.bidder)).size).toBe(2)
    expect(JSON.stringify(history)).not.toContain(ann.user.id)
    expect(JSON.stringify(history)).not.toContain('5000')
  })

  it('refuses a hopeless bid at the edge once the isolate has seen the price', async () => {
    const seller = await register('edge-seller')
    const bidder = await register('edge-bidder')
    const auction = await listAuction(seller.token)
    expect((await call(`/v1/listings/${auction.id}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: usd(5000) } })).status).toBe(201)
    const low = await call(`/v1/listings/${auction.id}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: usd(500) } })
    expect(low.status).toBe(409)
    expect(low.headers.get('souk-edge-refused')).toBe('1')
    expect(await json(low)).toMatchObject({ code: 'bid_too_low', minimum: usd(1050) })
    // Without a credential the caller learns nothing but that one is needed.
    expect((await call(`/v1/listings/${auction.id}/bids`, { method: 'POST', json: { maxAmount: usd(500) } })).status).toBe(401)
    // Only the object can judge a bid at or above the floor (here: the leader raising their maximum).
    const raise = await call(`/v1/listings/${auction.id}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: usd(6000) } })
    expect(raise.status).toBe(201)
    expect(raise.headers.get('souk-edge-refused')).toBeNull()
  })
})
