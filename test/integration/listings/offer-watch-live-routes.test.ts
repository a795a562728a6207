import { describe, expect, it } from 'vitest'
import { call, json, register, type Json } from '../support/api'

const usd = (amount: number) => ({ amount, currency: 'USD' as const })

async function oneMug(token: string, quantity = 1) {
  const res = await call('/v1/listings', { method: 'POST', token, json: { title: 'Mug', category: 'kitchen', format: 'fixed_price', price: usd(5000), quantity, acceptsOffers: true } })
  return json<{ id: string }>(res)
}

describe('offers over HTTP', () => {
  it('runs offer → counter → accept, with each party answering in turn, and hides offers from strangers', async () => {
    const seller = await register('offer-seller')
    const buyer = await register('offer-buyer')
    const stranger = await register('offer-stranger')
    const mug = await oneMug(seller.token)

    const made = await call(`/v1/listings/${mug.id}/offers`, { method: 'POST', token: buyer.token, json: { amount: usd(3500) } })
    expect(made.status).toBe(201)
    const offer = await json<Json & { id: string }>(made)
    expect(made.headers.get('location')).toBe(`/v1/offers/${offer.id}`)
    expect(offer).toMatchObject({ listingId: mug.id, buyerId: buyer.user.id, sellerId: seller.user.id, from: 'buyer', amount: usd(3500), quantity: 1, status: 'pending' })
    expect(Date.parse(String(offer.expiresAt)) - Date.parse(String(offer.createdAt))).toBe(48 * 3_600_000)

    expect(await json(await call(`/v1/offers/${offer.id}/accept`, { method: 'POST', token: buyer.token }))).toMatchObject({ status: 409, code: 'not_your_turn' })
    expect((await call(`/v1/offers/${offer.id}/accept`, { method: 'POST', token: stranger.token })).status).toBe(404)
    expect((await call(`/v1/offers/${offer.id}`, { token: stranger.token })).status).toBe(404)
    expect((await call(`/v1/offers/${offer.id}`, { token: seller.token })).status).toBe(200)

    const countered = await call(`/v1/offers/${offer.id}/counter`, { method: 'POST', token: seller.token, json: { amount: usd(4200) } })
    expect(countered.status).toBe(201)
    const counter = await json<Json & { id: string }>(countered)
    expect(counter).toMatchObject({ from: 'seller', counters: offer.id, amount: usd(4200), status: 'pending' })
    expect(await json(await call(`/v1/offers/${offer.id}`, { token: buyer.token }))).toMatchObject({ status: 'countered' })

    const accepted = await call(`/v1/offers/${counter.id}/accept`, { method: 'POST', token: buyer.token })
    expect(accepted.status).toBe(200)
    expect(await json(accepted)).toMatchObject({ status: 'accepted', reservation: { id: counter.id } })
    expect(await json(await call(`/v1/listings/${mug.id}`))).toMatchObject({ available: 0 })
    expect(await json(await call(`/v1/offers/${counter.id}/decline`, { method: 'POST', token: buyer.token }))).toMatchObject({ status: 409 })
  })

  it('refuses offers the listing cannot take', async () => {
    const seller = await register('strict-seller')
    const buyer = await register('strict-buyer')
    const mug = await oneMug(seller.token, 2)
    const offer = (token: string, body: Json) => call(`/v1/listings/${mug.id}/offers`, { method: 'POST', token, json: body })
    expect(await json(await offer(seller.token, { amount: usd(100) }))).toMatchObject({ status: 409, code: 'own_listing' })
    expect(await json(await offer(buyer.token, { amount: usd(6000) }))).toMatchObject({ status: 422, code: 'offer_above_price' })
    expect(await json(await offer(buyer.token, { amount: usd(100), quantity: 3 }))).toMatchObject({ status: 409, code: 'sold_out' })
    expect(await json(await offer(buyer.token, { amount: { amount: 100, currency: 'GBP' } }))).toMatchObject({ status: 422, code: 'currency_mismatch' })
    expect((await offer(buyer.token, { amount: usd(100), quantity: 0 })).status).toBe(400)
    expect((await call(`/v1/offers/ofr_${'0'.repeat(26)}/accept`, { method: 'POST', token: seller.token })).status).toBe(404)
  })
})

describe('watchlist over HTTP', () => {
  it('watches and unwatches idempotently, and lists what is watched', async () => {
    const seller = await register('watch-seller')
    const watcher = await register('watcher')
    const mug = await oneMug(seller.token)
    for (let i = 0; i < 2; i++) expect((await call(`/v1/listings/${mug.id}/watch`, { method: 'PUT', token: watcher.token })).status).toBe(204)
    const list = await json<{ data: { listingId: string }[] }>(await call('/v1/me/watchlist', { token: watcher.token }))
    expect(list.data.map((w) => w.listingId)).toEqual([mug.id])
    for (let i = 0; i < 2; i++) expect((await call(`/v1/listings/${mug.id}/watch`, { method: 'DELETE', token: watcher.token })).status).toBe(204)
    expect((await json<{ data: unknown[] }>(await call('/v1/me/watchlist', { token: watcher.token }))).data).toEqual([])
    expect((await call(`/v1/listings/lst_${'1'.repeat(26)}/watch`, { method: 'PUT', token: watcher.token })).status).toBe(404)
    expect((await call(`/v1/listings/${mug.id}/watch`, { method: 'PUT' })).status).toBe(401)
  })
})

describe('live channel', () => {
  it('answers plain HTTP with 426 and an unknown listing with 404', async () => {
    const seller = await register('live-seller')
    const mug = await oneMug(seller.token)
    expect(await json(await call(`/v1/listings/${mug.id}/live`))).toMatchObject({ status: 426, code: 'upgrade_required' })
    expect((await call(`/v1/listings/lst_${'2'.repeat(26)}/live`, { headers: { upgrade: 'websocket' } })).status).toBe(404)
    expect((await call(`/v1/listings/${mug.id}/live?since=-1`, { headers: { upgrade: 'websocket' } })).status).toBe(400)
  })

  it('replays from `since`, then pushes each event as it commits, anonymously and without private data', async () => {
    const seller = await register('ws-seller')
    const buyer = await register('ws-buyer')
    const mug = await oneMug(seller.token, 3)
    const res = await call(`/v1/listings/${mug.id}/live?since=0`, { headers: { upgrade: 'websocket' } })
    expect(res.status).toBe(101)
    const ws = res.webSocket
    if (!ws) throw new Error('no socket')
    const messages: { seq: number; type: string; data: Json }[] = []
    ws.accept()
    ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data)) as (typeof messages)[number]))
    await call(`/v1/listings/${mug.id}/offers`, { method: 'POST', token: buyer.token, json: { amount: usd(4000), quantity: 2 } })
    await call(`/v1/listings/${mug.id}`, { method: 'PATCH', token: seller.token, headers: { 'if-match': '*' }, json: { description: 'now with a saucer' } })
    const deadline = Date.now() + 5000
    while (messages.length < 3 && Date.now() < deadline) await scheduler.wait(20)
    ws.close()
    expect(messages.map((m) => [m.seq, m.type])).toEqual([
      [1, 'listing.created'],
      [2, 'offer.created'],
      [3, 'listing.updated'],
    ])
    const text = JSON.stringify(messages)
    expect(text).not.toContain(buyer.user.id)
    expect(text).not.toContain('4000')
    expect(messages[1]?.data).not.toHaveProperty('listing')
    expect(messages[2]?.data.listing).toMatchObject({ description: 'now with a saucer' })
  })
})

describe('live channel: far behind', () => {
  it('sends one resync with the listing instead of replaying more than MAX_REPLAY events', async () => {
    const { env } = await import('cloudflare:workers')
    const { listingStub } = await import('../../../src/listings/listing-object')
    const { MAX_REPLAY } = await import('../../../src/listings/live-message')
    const seller = await register('resync-seller')
    const bidder = await register('resync-bidder')
    const created = await json<{ id: string }>(
      await call('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Busy', category: 'x', format: 'auction', auction: { startingBid: usd(100), endsAt: new Date(Date.now() + 3_600_000).toISOString() } } }),
    )
    // The leader raising their own maximum: one event each, cheaply, without extending the end.
    const stub = listingStub(env, created.id)
    for (let i = 1; i <= MAX_REPLAY + 5; i++) await stub.placeBid({ bidderId: bidder.user.id, maxAmount: usd(100 + i) })
    const res = await call(`/v1/listings/${created.id}/live?since=0`, { headers: { upgrade: 'websocket' } })
    const ws = res.webSocket
    if (!ws) throw new Error('no socket')
    const messages: { seq: number; type: string; data: Json }[] = []
    ws.accept()
    ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data)) as (typeof messages)[number]))
    const deadline = Date.now() + 5000
    while (messages.length < 1 && Date.now() < deadline) await scheduler.wait(20)
    await stub.placeBid({ bidderId: bidder.user.id, maxAmount: usd(100_000) })
    while (messages.length < 2 && Date.now() < deadline) await scheduler.wait(20)
    ws.close()
    expect(messages[0]).toMatchObject({ seq: MAX_REPLAY + 6, type: 'live.resync', data: { missed: MAX_REPLAY + 6, listing: { id: created.id, bidCount: MAX_REPLAY + 5 } } })
    expect(messages[1]).toMatchObject({ seq: MAX_REPLAY + 7, type: 'bid.placed' })
    expect(messages).toHaveLength(2)
  }, 60_000)
})
