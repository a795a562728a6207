import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../../src/db/client'
import { projectListing } from '../../../src/listings/listing-read-store'
import type { ListingView } from '../../../src/listings/listing-view'
import { call as apiCall, json, PASSWORD, register, type Json, type Registered } from '../support/api'
import { newListingId, SELLER } from '../listings/fixtures'
import { call, form, page, sameOrigin, SESSION_COOKIE } from '../support/pages'

/**
 * The buyer's pages (web/site/): `/` searches and browses the read model through the API with
 * facets, sorts and pages; `/listings/{id}` shows a listing and acts on it through the API with
 * the form's nonce as Idempotency-Key; nothing changes without the session's form token.
 */

const usd = (amount: number) => ({ amount, currency: 'USD' as const })
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString()
const freshCategory = () => `p${crypto.randomUUID().slice(0, 8)}`

/** A row in the read model, as the projection writes it (each test in a category of its own). */
async function listed(category: string, over: { title: string; price: number; auctionEndsInHours?: number; images?: ListingView['images'] }): Promise<ListingView> {
  const at = new Date().toISOString()
  const common = { id: newListingId(), sellerId: SELLER, title: over.title, description: 'Seen on the front page', category, status: 'active', version: 1, currency: 'USD', acceptsOffers: false, images: over.images ?? [], createdAt: at, updatedAt: at } as const
  const view: ListingView =
    over.auctionEndsInHours !== undefined
      ? { ...common, format: 'auction', currentPrice: usd(over.price), bidCount: 0, endsAt: inHours(over.auctionEndsInHours) }
      : { ...common, format: 'fixed_price', price: usd(over.price), quantity: 1, available: 1 }
  await projectListing(database(env.DB), view, 1)
  return view
}

async function logIn(who: Registered): Promise<string> {
  const f = form({ email: who.user.email, password: PASSWORD, next: '/' })
  const res = await call('/login', { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
  expect(res.status).toBe(303)
  return new RegExp(`${SESSION_COOKIE}=(st_[A-Za-z0-9_-]+)`).exec(res.headers.get('set-cookie') ?? '')![1]!
}

/** The hidden fields a drawn listing page gives its forms. */
async function formTokens(listingId: string, session: string): Promise<{ csrf: string; nonce: string; html: string }> {
  const html = await (await page(`/listings/${listingId}`, session)).text()
  const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(html)?.[1]
  const nonce = /name="nonce" value="([A-Za-z0-9_-]{16,64})"/.exec(html)?.[1]
  expect(csrf).toBeDefined()
  expect(nonce).toBeDefined()
  return { csrf: csrf!, nonce: nonce!, html }
}

const postAs = (session: string, path: string, fields: Record<string, string>, headers: Record<string, string> = sameOrigin) => {
  const f = form(fields)
  return page(path, session, { method: 'POST', body: f.body, headers: { ...f.headers, ...headers } })
}

const flashOf = (res: Response): string => decodeURIComponent(/souk_flash=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '')

async function listAuction(seller: Registered, auction: Json = {}): Promise<{ id: string; version: number }> {
  const res = await apiCall('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Ship in a bottle', description: 'Three masts, hand-rigged', category: 'models', format: 'auction', auction: { startingBid: usd(1000), endsAt: inHours(2), ...auction } } })
  expect(res.status).toBe(201)
  return json(res)
}

async function listFixed(seller: Registered, over: Json = {}): Promise<{ id: string }> {
  const res = await apiCall('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Linen tea towel', description: 'Washed linen', category: 'kitchen', format: 'fixed_price', price: usd(1500), quantity: 3, acceptsOffers: true, ...over } })
  expect(res.status).toBe(201)
  return json(res)
}

describe('the front page', () => {
  it('shows the listings that match, with their facets, prices, formats, first photos and time left, without a session', async () => {
    const category = freshCategory()
    const lamp = await listed(category, { title: 'Brass lamp', price: 4500, images: [{ id: 'img_1', url: '/images/lamp-1.webp', width: 800, height: 600 }] })
    const print = await listed(category, { title: 'Gallery print', price: 1100, auctionEndsInHours: 5 })
    const res = await call(`/?category=${category}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await res.text()
    expect(html).toContain(`href="/listings/${lamp.id}"`)
    expect(html).toContain(`href="/listings/${print.id}"`)
    expect(html).toContain('$45.00')
    expect(html).toContain('$11.00')
    expect(html).toContain('<img src="/images/lamp-1.webp" alt="Brass lamp"')
    expect(html).toMatch(/4h 5\dm left|5h 00m left/)
    // Facets: this category with its count (a link that lets it go again), both formats with theirs.
    expect(html).toMatch(new RegExp(`href="/" aria-current="true"><span>${category}</span> <span class="count">2<span class="visually-hidden"> listings</span></span>`))
    expect(html).toMatch(/href="\/\?category=[a-z0-9]+&amp;format=auction"><span>Auction<\/span> <span class="count">1<span class="visually-hidden"> listing<\/span><\/span>/)
    expect(html).toContain('2 listings')
    expect(html).toContain(`href="/login?next=%2F%3Fcategory%3D${category}"`)
  })

  it('keeps the filters and sort in the form and the links, and sorts as asked', async () => {
    const category = freshCategory()
    const cheap = await listed(category, { title: 'Cheap cup', price: 300 })
    const dear = await listed(category, { title: 'Dear cup', price: 9000 })
    const mid = await listed(category, { title: 'Middling cup', price: 2000 })
    const res = await call(`/?q=cup&category=${category}&format=fixed_price&min=5&sort=price_desc`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('value="cup"')
    expect(html).toContain(`value="${category}"`)
    expect(html).toMatch(/<option value="fixed_price" selected="">/)
    expect(html).toMatch(/name="min" value="5"/)
    expect(html).toMatch(/<option value="price_desc" selected="">/)
    // min=5 (dollars) leaves the $3.00 cup out; highest price first.
    expect(html).not.toContain(cheap.id)
    expect(html.indexOf(dear.id)).toBeLessThan(html.indexOf(mid.id))
    expect(html.indexOf(dear.id)).toBeGreaterThan(-1)
  })

  it('pages with the API’s cursor: the next page link carries the filters, and the second page shows the rest', async () => {
    const category = freshCategory()
    const views = []
    for (let i = 0; i < 26; i++) views.push(await listed(category, { title: `Marble ${i}`, price: 100 + i }))
    const first = await (await call(`/?category=${category}&sort=price_asc`)).text()
    const next = /<a href="(\/\?[^"]+)" rel="next">/.exec(first)?.[1]?.replaceAll('&amp;', '&')
    expect(next).toMatch(new RegExp(`^/\\?category=${category}&sort=price_asc&cursor=`))
    for (const v of views.slice(0, 24)) expect(first).toContain(v.id)
    const second = await (await call(next!)).text()
    for (const v of views.slice(24)) expect(second).toContain(v.id)
    expect(second).not.toContain(views[0]!.id)
    expect(second).not.toContain('rel="next"')
  })

  it('answers a price that is not one, or a cursor it did not issue, with a 400 page that says why', async () => {
    const bad = await call('/?min=ten')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('is not an amount such as 12.50')
    const stale = await call('/?cursor=not-a-cursor')
    expect(stale.status).toBe(400)
    expect(await stale.text()).toContain('not a cursor this API issued')
  })
})

describe('a listing’s page', () => {
  it('shows an auction: price, bids, countdown, seller, the live script, and a login link for a visitor; under 50 KB', async () => {
    const seller = await register('page-seller')
    const { id, version } = await listAuction(seller)
    const res = await call(`/listings/${id}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.length).toBeLessThan(50_000)
    expect(html).toContain('<h1>Ship in a bottle</h1>')
    expect(html).toContain('Three masts, hand-rigged')
    expect(html).toContain('$10.00')
    expect(html).toMatch(/<time data-live="ends" datetime="[^"]+">1h 5\dm left|2h 00m left/)
    expect(html).toContain('page-seller')
    expect(html).toContain(`data-listing-id="${id}" data-seq="${version}"`)
    expect(html).toContain('<script src="/site/listing-live.js" defer="">')
    expect(html).toContain(`href="/login?next=%2Flistings%2F${id}"`)
    expect(html).not.toContain(`action="/listings/${id}/bid"`)
  })

  it('answers a listing that does not exist, or an id that is not one, with a 404 page', async () => {
    for (const path of [`/listings/${newListingId()}`, '/listings/nope', '/listings/lst_x/extra']) {
      const res = await call(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(await res.text()).toContain('Back to browsing')
    }
  })

  it('places a bid through the form: the API takes it, the person reads the outcome; a resubmitted form is the same bid', async () => {
    const seller = await register('bid-seller')
    const bidder = await register('bid-bidder')
    const { id } = await listAuction(seller)
    const session = await logIn(bidder)
    const { csrf, nonce, html } = await formTokens(id, session)
    expect(html).toContain(`action="/listings/${id}/bid"`)

    const fields = { csrf, nonce, currency: 'USD', amount: '25' }
    const res = await postAs(session, `/listings/${id}/bid`, fields)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/listings/${id}`)
    expect(flashOf(res)).toContain('You are the highest bidder at $10.00 (your maximum: $25.00)')
    const again = await postAs(session, `/listings/${id}/bid`, fields)
    expect(again.status).toBe(303)
    const listing = await json<{ bidCount: number; currentPrice: { amount: number } }>(await apiCall(`/v1/listings/${id}`))
    expect(listing.bidCount).toBe(1)

    // With script: the same endpoint answers JSON and a fresh nonce for the next bid.
    const rival = await register('bid-rival')
    const rivalSession = await logIn(rival)
    const t = await formTokens(id, rivalSession)
    const scripted = await postAs(rivalSession, `/listings/${id}/bid`, { csrf: t.csrf, nonce: t.nonce, currency: 'USD', amount: '15' }, { ...sameOrigin, accept: 'application/json' })
    expect(scripted.status).toBe(200)
    const body = await json<{ ok: boolean; message: string; nonce: string }>(scripted)
    expect(body.ok).toBe(true)
    expect(body.message).toContain('someone else’s maximum is higher')
    expect(body.nonce).toMatch(/^[A-Za-z0-9_-]{16,64}$/)
    expect(body.nonce).not.toBe(t.nonce)

    // The bid history on the page marks the caller's own bid.
    const after = await (await page(`/listings/${id}`, session)).text()
    expect(after).toContain('(you)')
  })

  it('refuses a bid without the form token, with a made-up one or from another origin: 403, no bid', async () => {
    const seller = await register('csrf-seller')
    const bidder = await register('csrf-bidder')
    const { id } = await listAuction(seller)
    const session = await logIn(bidder)
    const { csrf, nonce } = await formTokens(id, session)
    const attempts = [
      postAs(session, `/listings/${id}/bid`, { nonce, currency: 'USD', amount: '20' }),
      postAs(session, `/listings/${id}/bid`, { csrf: 'f'.repeat(64), nonce, currency: 'USD', amount: '20' }),
      postAs(session, `/listings/${id}/bid`, { csrf, nonce, currency: 'USD', amount: '20' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
      postAs(session, `/listings/${id}/bid`, { csrf, nonce, currency: 'USD', amount: '20' }, {}),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403)
    const listing = await json<{ bidCount: number }>(await apiCall(`/v1/listings/${id}`))
    expect(listing.bidCount).toBe(0)
  })

  it('sends a visitor who posts to the login page, coming back here; says what is wrong with a bad amount or a low bid', async () => {
    const seller = await register('anon-seller')
    const { id } = await listAuction(seller)
    const f = form({ currency: 'USD', amount: '20', nonce: 'n'.repeat(20) })
    const anon = await call(`/listings/${id}/bid`, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
    expect(anon.status).toBe(303)
    expect(anon.headers.get('location')).toBe(`/login?next=%2Flistings%2F${id}`)

    const session = await logIn(await register('low-bidder'))
    const t = await formTokens(id, session)
    const bad = await postAs(session, `/listings/${id}/bid`, { csrf: t.csrf, nonce: t.nonce, currency: 'USD', amount: 'lots' })
    expect(flashOf(bad)).toContain('“lots” is not an amount')
    const low = await postAs(session, `/listings/${id}/bid`, { csrf: t.csrf, nonce: t.nonce, currency: 'USD', amount: '5' })
    expect(low.status).toBe(303)
    expect(JSON.parse(flashOf(low))).toMatchObject({ kind: 'error' })
    const stale = await postAs(session, `/listings/${id}/bid`, { csrf: t.csrf, nonce: 'short', currency: 'USD', amount: '50' })
    expect(flashOf(stale)).toContain('out of date')
    expect((await json<{ bidCount: number }>(await apiCall(`/v1/listings/${id}`))).bidCount).toBe(0)
  })

  it('checks out with a test card: a good card pays, a declined one shows the problem’s message and takes nothing', async () => {
    const seller = await register('buy-seller')
    const buyer = await register('buy-buyer')
    const { id } = await listFixed(seller)
    const session = await logIn(buyer)
    const address = { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'fr' }

    const declinedForm = await formTokens(id, session)
    expect(declinedForm.html).toContain('<option value="pm_card_chargeDeclined">')
    const declined = await postAs(session, `/listings/${id}/buy`, { csrf: declinedForm.csrf, nonce: declinedForm.nonce, quantity: '1', paymentMethod: 'pm_card_chargeDeclined', ...address })
    expect(declined.status).toBe(303)
    expect(flashOf(declined)).toContain('The payment method was declined')
    expect((await json<{ available: number }>(await apiCall(`/v1/listings/${id}`))).available).toBe(3)

    const paidForm = await formTokens(id, session)
    const fields = { csrf: paidForm.csrf, nonce: paidForm.nonce, quantity: '2', paymentMethod: 'pm_card_visa', ...address }
    const paid = await postAs(session, `/listings/${id}/buy`, fields)
    expect(flashOf(paid)).toMatch(/Paid \$30\.00: order ord_/)
    // A double submit of the same drawn form is the same order.
    const twice = await postAs(session, `/listings/${id}/buy`, fields)
    expect(flashOf(twice)).toBe(flashOf(paid))
    const orders = await json<{ data: { status: string }[] }>(await apiCall('/v1/orders?role=buyer', { token: buyer.token }))
    expect(orders.data.filter((o) => o.status === 'paid')).toHaveLength(1)
    expect((await json<{ available: number }>(await apiCall(`/v1/listings/${id}`))).available).toBe(1)
  })

  it('sends an offer through the form', async () => {
    const seller = await register('offer-seller')
    const buyer = await register('offer-buyer')
    const { id } = await listFixed(seller)
    const session = await logIn(buyer)
    const t = await formTokens(id, session)
    expect(t.html).toContain(`action="/listings/${id}/offer"`)
    const res = await postAs(session, `/listings/${id}/offer`, { csrf: t.csrf, nonce: t.nonce, currency: 'USD', amount: '12.50', quantity: '1' })
    expect(flashOf(res)).toContain('Offer of $12.50 × 1 sent')
    const offers = await json<{ data: { amount: { amount: number }; status: string }[] }>(await apiCall(`/v1/listings/${id}/offers`, { token: buyer.token }))
    expect(offers.data).toMatchObject([{ amount: { amount: 1250 }, status: 'pending' }])
  })

  it('shows a seller their own listing without forms to buy it', async () => {
    const seller = await register('own-seller')
    const { id } = await listFixed(seller)
    const html = await (await page(`/listings/${id}`, await logIn(seller))).text()
    expect(html).toContain('This is your listing.')
    expect(html).not.toContain(`action="/listings/${id}/buy"`)
  })
})
