import { describe, expect, it } from 'vitest'
import { call as apiCall, json, register, type Registered } from '../support/api'
import { sellerWithEarnings } from '../support/earnings'
import { call, page } from '../support/pages'
import { draw, flashAfter, orderStatus, PNG_1x1, submit, submitMultipart } from '../support/site-forms'

/**
 * /sell through the real worker (web/site/sell-routes.tsx): drawn from the seller's real data, and
 * each form does what the JSON route does, once, and only with the session's CSRF token.
 */

const ADDRESS = { name: 'Ada Buyer', line1: '1 Market St', city: 'Springfield', postalCode: '12345', country: 'US' }

async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (check(v)) return v
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

type Listing = { id: string; title: string; status: string; images?: { id: string; url: string }[] }

async function listing(seller: Registered, body: Record<string, unknown>): Promise<Listing> {
  const res = await apiCall('/v1/listings', { method: 'POST', token: seller.token, json: { description: '', category: 'home', ...body } })
  expect(res.status).toBe(201)
  return json<Listing>(res)
}

const fixed = (seller: Registered, title: string, opts: { quantity?: number; acceptsOffers?: boolean } = {}) =>
  listing(seller, { title, format: 'fixed_price', price: { amount: 4500, currency: 'USD' }, quantity: opts.quantity ?? 1, acceptsOffers: opts.acceptsOffers ?? false })

async function offer(buyer: Registered, listingId: string, amount: number): Promise<string> {
  const res = await apiCall(`/v1/listings/${listingId}/offers`, { method: 'POST', token: buyer.token, json: { amount: { amount, currency: 'USD' } } })
  expect(res.status).toBe(201)
  return (await json<{ id: string }>(res)).id
}

async function paidOrder(buyer: Registered, listingId: string): Promise<string> {
  const res = await apiCall('/v1/checkout', {
    method: 'POST',
    token: buyer.token,
    headers: { 'idempotency-key': crypto.randomUUID() },
    json: { items: [{ listingId, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: ADDRESS },
  })
  expect(res.status).toBe(201)
  return (await json<{ id: string }>(res)).id
}

const offerStatus = async (token: string, id: string) => (await json<{ status: string }>(await apiCall(`/v1/offers/${id}`, { token }))).status
const myListings = async (seller: Registered) => (await json<{ data: Listing[] }>(await apiCall(`/v1/listings?sellerId=${seller.user.id}&limit=100`, { token: seller.token }))).data

describe('/sell', () => {
  it('sends a visitor without a session to the login form, coming back to /sell', async () => {
    const res = await call('/sell')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fsell')
  })

  it('shows the seller’s listings with bids and pending offers, the offers, orders to ship, balance, verification and rating', async () => {
    const seller = await register('sell-page')
    const buyer = await register('sell-buyer')
    const mug = await fixed(seller, 'Speckled mug', { quantity: 3, acceptsOffers: true })
    const lamp = await fixed(seller, 'Brass lamp')
    const endsAt = new Date(Date.now() + 86_400_000).toISOString()
    const print = await listing(seller, { title: 'Gallery print', format: 'auction', auction: { startingBid: { amount: 1000, currency: 'USD' }, endsAt } })
    expect((await apiCall(`/v1/listings/${print.id}/bids`, { method: 'POST', token: buyer.token, json: { maxAmount: { amount: 1500, currency: 'USD' } } })).status).toBe(201)
    const offerId = await offer(buyer, mug.id, 4000)
    const orderId = await paidOrder(buyer, lamp.id)
    // The offers read model follows the offer's events within about a second.
    await until(async () => (await json<{ data: unknown[] }>(await apiCall('/v1/offers?role=seller&status=pending', { token: seller.token }))).data.length, (n) => n === 1)

    const { html } = await draw('/sell', seller.token)
    expect(html).toContain('<h1>Sell</h1>')
    expect(html).toContain('href="/sell" aria-current="page"')
    const row = (id: string) => new RegExp(`<tr id="${id}">(.*?)</tr>`, 's').exec(html)?.[1] ?? ''
    expect(row(mug.id)).toContain('Speckled mug')
    expect(row(mug.id)).toContain('$45.00')
    expect(row(mug.id)).toMatch(/fixed price, offers/)
    expect(row(mug.id)).toMatch(/<td class="num">1<\/td><td>none<\/td>$/) // one pending offer, no photo
    expect(row(print.id)).toMatch(/auction, ends/)
    expect(row(print.id)).toMatch(/<td class="num">1<\/td><td class="num">0<\/td>/) // one bid, no offers
    expect(row(offerId)).toContain('$40.00 each')
    expect(row(offerId)).toContain(`action="/sell/offers/${offerId}/accept"`)
    expect(row(offerId)).toContain(`action="/sell/offers/${offerId}/counter"`)
    expect(row(orderId)).toContain('paid')
    expect(row(orderId)).toContain(`action="/sell/orders/${orderId}/ship"`)
    expect(html).toMatch(/<dt>Pending \(in escrow\)<\/dt><dd>\$40.50<\/dd>/) // 45.00 less the 10% fee
    expect(html).toContain('data-status="unverified"')
    expect(html).toContain('action="/sell/verification"')
    expect(html).toContain('No feedback from buyers yet.')
    expect(html).toContain('enctype="multipart/form-data"')

    // Another status's listings, by the filter (search follows the sale within moments).
    const soldOut = await until(async () => (await draw('/sell?listings=sold_out', seller.token)).html, (h) => h.includes(`<tr id="${lamp.id}">`))
    expect(soldOut).toMatch(new RegExp(`<tr id="${lamp.id}">.*?sold out`, 's'))
    expect(soldOut).not.toContain(`<tr id="${mug.id}">`)
  })

  it('lists something with photos through the form: the listing is created once, with every photo, even when the form is sent twice', async () => {
    const seller = await register('sell-photos')
    const drawn = await draw('/sell', seller.token)
    const body = () => {
      const f = new FormData()
      for (const [k, v] of Object.entries({ csrf: drawn.csrf, nonce: drawn.nonce, title: 'Blue vase', description: 'Glazed', category: 'home', format: 'offers', currency: 'EUR', price: '12.50', quantity: '2' })) f.append(k, v)
      f.append('photos', new File([PNG_1x1], 'front.png', { type: 'image/png' }))
      f.append('photos', new File([PNG_1x1], 'back.png', { type: 'image/png' }))
      return f
    }
    const res = await submitMultipart('/sell/listings', seller.token, body())
    expect(await flashAfter(res, seller.token)).toBe('ok: Listed “Blue vase” with 2 of 2 photos.')
    const again = await submitMultipart('/sell/listings', seller.token, body())
    expect(await flashAfter(again, seller.token)).toBe('ok: Listed “Blue vase” with 2 of 2 photos.')

    const mine = (await myListings(seller)).filter((l) => l.title === 'Blue vase')
    expect(mine).toHaveLength(1)
    const created = await json<Listing & { price: unknown; quantity: number; acceptsOffers: boolean }>(await apiCall(`/v1/listings/${mine[0]!.id}`))
    expect(created).toMatchObject({ format: 'fixed_price', price: { amount: 1250, currency: 'EUR' }, quantity: 2, acceptsOffers: true })
    expect(created.images).toHaveLength(2)
    const photo = await apiCall(new URL(created.images![0]!.url, 'https://souk.test').pathname)
    expect(photo.status).toBe(200)
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(PNG_1x1)
    expect((await draw('/sell', seller.token)).html).toMatch(new RegExp(`<tr id="${created.id}">.*?<img class="thumb" src="${created.images![0]!.url}"`, 's'))
  })

  it('says what is wrong with a listing form, the page’s or the API’s words, and lists nothing', async () => {
    const seller = await register('sell-bad-form')
    const drawn = await draw('/sell', seller.token)
    const send = async (fields: Record<string, string>) => {
      const f = new FormData()
      for (const [k, v] of Object.entries({ csrf: drawn.csrf, nonce: drawn.nonce, title: 'Odd thing', category: 'home', currency: 'USD', ...fields })) f.append(k, v)
      return flashAfter(await submitMultipart('/sell/listings', seller.token, f), seller.token)
    }
    expect(await send({ format: 'auction', startingBid: 'ten', endsIn: '1', endsInUnit: 'days' })).toMatch(/^error: Starting bid: /)
    expect(await send({ format: 'fixed_price', price: '5', category: 'Not a slug!' })).toMatch(/^error: .*category: must be a lower-case slug/)
    expect(await send({ format: 'auction', startingBid: '5', endsIn: '90', endsInUnit: 'days' })).toMatch(/^error: The auction would end too late/)
    expect(await myListings(seller)).toHaveLength(0)
  })

  it('answers offers: accept holds the stock, decline, counter with an amount; a bad amount changes nothing', async () => {
    const seller = await register('sell-offers')
    const mug = await fixed(seller, 'Offer mug', { quantity: 3, acceptsOffers: true })
    const [a, b, c] = await Promise.all([register('offer-a'), register('offer-b'), register('offer-c')])
    const [oa, ob, oc] = [await offer(a, mug.id, 4000), await offer(b, mug.id, 3000), await offer(c, mug.id, 3500)]
    const drawn = await draw('/sell', seller.token)

    expect(await flashAfter(await submit(`/sell/offers/${oa}/accept`, seller.token, drawn), seller.token)).toMatch(/^ok: Offer accepted/)
    expect(await offerStatus(seller.token, oa)).toBe('accepted')
    expect(await flashAfter(await submit(`/sell/offers/${ob}/decline`, seller.token, drawn), seller.token)).toBe('ok: Offer declined.')
    expect(await offerStatus(seller.token, ob)).toBe('declined')
    expect(await flashAfter(await submit(`/sell/offers/${oc}/counter`, seller.token, drawn, { amount: 'lots', currency: 'USD' }), seller.token)).toMatch(/^error: Counter offer: /)
    expect(await offerStatus(seller.token, oc)).toBe('pending')
    expect(await flashAfter(await submit(`/sell/offers/${oc}/counter`, seller.token, drawn, { amount: '42', currency: 'USD' }), seller.token)).toBe('ok: Counter offer sent.')
    expect(await offerStatus(seller.token, oc)).toBe('countered')
    // Answering again is the API's refusal, in its words.
    expect(await flashAfter(await submit(`/sell/offers/${ob}/accept`, seller.token, await draw('/sell', seller.token)), seller.token)).toMatch(/^error: /)
    expect(await offerStatus(seller.token, ob)).toBe('declined')
  })

  it('ships an order with a carrier and tracking number, and the sandbox carrier takes it from there', async () => {
    const seller = await register('sell-ship')
    const buyer = await register('sell-ship-buyer')
    const orderId = await paidOrder(buyer, (await fixed(seller, 'Ship me')).id)
    const drawn = await draw('/sell', seller.token)
    expect(await flashAfter(await submit(`/sell/orders/${orderId}/ship`, seller.token, drawn, { carrier: 'sandbox', trackingNumber: 'no' }), seller.token)).toMatch(/^error: .*trackingNumber/)
    expect(await orderStatus(buyer.token, orderId)).toBe('paid')
    expect(await flashAfter(await submit(`/sell/orders/${orderId}/ship`, seller.token, drawn, { carrier: 'sandbox', trackingNumber: 'SBX-1234' }), seller.token)).toBe(`ok: Order ${orderId} is shipped with sandbox.`)
    const after = await json<{ status: string; shipment: { carrier: string; trackingNumber: string } }>(await apiCall(`/v1/orders/${orderId}`, { token: seller.token }))
    expect(after.shipment).toMatchObject({ carrier: 'sandbox', trackingNumber: 'SBX-1234' })
    await until(() => orderStatus(buyer.token, orderId), (s) => s === 'delivered', 20_000)
  }, 30_000)

  it('cancels a paid order before shipping, refunding it', async () => {
    const seller = await register('sell-cancel')
    const buyer = await register('sell-cancel-buyer')
    const orderId = await paidOrder(buyer, (await fixed(seller, 'Cancel me')).id)
    expect(await flashAfter(await submit(`/sell/orders/${orderId}/cancel`, seller.token, await draw('/sell', seller.token)), seller.token)).toBe(`ok: Order ${orderId} is cancelled.`)
    expect(await orderStatus(buyer.token, orderId)).toBe('cancelled')
  })

  it('starts identity verification, refuses a payout until verified, and pays out a verified seller', async () => {
    const newcomer = await register('sell-kyc')
    const drawn = await draw('/sell', newcomer.token)
    const refused = await flashAfter(await submit('/sell/payouts', newcomer.token, drawn, { amount: '10', currency: 'USD' }), newcomer.token)
    expect(refused).toMatch(/^error: .*verif/i)
    expect(await flashAfter(await submit('/sell/verification', newcomer.token, drawn), newcomer.token)).toMatch(/^ok: (Verification started|Your identity is verified)/)
    await until(async () => (await draw('/sell', newcomer.token)).html, (html) => html.includes('data-status="verified"'))

    const seller = await sellerWithEarnings(10_000) // $90.00 available
    const page1 = await draw('/sell', seller.token)
    expect(page1.html).toMatch(/<dt>Available<\/dt><dd>\$90.00<\/dd>/)
    expect(await flashAfter(await submit('/sell/payouts', seller.token, page1, { amount: '4o', currency: 'USD' }), seller.token)).toMatch(/^error: Payout: /)
    const paid = await flashAfter(await submit('/sell/payouts', seller.token, page1, { amount: '40.00', currency: 'USD' }), seller.token)
    expect(paid).toMatch(/^ok: Payout pyo_[0-9a-z]{26} requested: pending\.$/)
    // The same form again is the API's replay: still one payout.
    await submit('/sell/payouts', seller.token, page1, { amount: '40.00', currency: 'USD' })
    const payouts = await json<{ data: { amount: { amount: number } }[] }>(await apiCall('/v1/me/payouts', { token: seller.token }))
    expect(payouts.data.map((p) => p.amount.amount)).toEqual([4000])
    expect((await draw('/sell', seller.token)).html).toMatch(/<caption>Recent payouts<\/caption>/)
  }, 30_000)

  it('refuses a form without the session’s CSRF token, from another origin, or without its nonce, and nothing changes', async () => {
    const seller = await register('sell-csrf')
    const buyer = await register('sell-csrf-buyer')
    const orderId = await paidOrder(buyer, (await fixed(seller, 'Guarded')).id)
    const drawn = await draw('/sell', seller.token)
    const ship = { carrier: 'sandbox', trackingNumber: 'SBX-9999' }
    expect((await submit(`/sell/orders/${orderId}/ship`, seller.token, { ...drawn, csrf: '' }, ship)).status).toBe(403)
    expect((await submit(`/sell/orders/${orderId}/ship`, seller.token, { ...drawn, csrf: 'f'.repeat(64) }, ship)).status).toBe(403)
    expect((await submit(`/sell/orders/${orderId}/ship`, seller.token, drawn, ship, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    const multipart = new FormData()
    for (const [k, v] of Object.entries({ nonce: drawn.nonce, title: 'Forged', category: 'home', format: 'fixed_price', currency: 'USD', price: '1' })) multipart.append(k, v)
    expect((await submitMultipart('/sell/listings', seller.token, multipart)).status).toBe(403)
    expect(await flashAfter(await submit(`/sell/orders/${orderId}/ship`, seller.token, { ...drawn, nonce: '' }, ship), seller.token)).toMatch(/^error: This form is out of date/)
    expect(await orderStatus(seller.token, orderId)).toBe('paid')
    expect((await myListings(seller)).map((l) => l.title)).not.toContain('Forged')
    // A GET never acts.
    expect((await page(`/sell/orders/${orderId}/ship`, seller.token)).status).toBe(404)
  })
})
