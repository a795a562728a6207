import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { checkoutOrderId } from '../../../src/checkout/checkout-order-id'
import { rootLogger } from '../../../src/platform/runtime'
import { listingStub, type ListingObject } from '../../../src/listings/listing-object'
import type { ListingView } from '../../../src/listings/listing-view'
import { settleNewListing } from '../../../src/listings/seller-listings-adapters'
import { auctionOrderId } from '../../../src/orders/order-view'
import { chargeOf, checkout, checkoutBody, eventually, fixedListing } from '../checkout/checkout-fixtures'
import { call, freeze, json, makeStaff, register, type Registered } from '../support/api'

/**
 * A frozen seller's listings (docs/SECURITY.md "Freezing an account"): out of search and closed to
 * buying, bidding and offers from the moment the freeze answers, back with the unfreeze; checkouts
 * racing the freeze either hold before it or are refused, never oversold, never charged when refused.
 */

const admin = async (): Promise<Registered> => {
  const staff = await register('admin')
  await makeStaff(staff.user.id, 'admin')
  return staff
}
const setFrozen = (staff: Registered, userId: string, frozen: boolean) => call(`/v1/admin/users/${userId}/${frozen ? 'freeze' : 'unfreeze'}`, { method: 'POST', token: staff.token })
const word = () => `w${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
const search = async (query: string): Promise<string[]> => (await json<{ data: ListingView[] }>(await call(`/v1/listings?${query}`))).data.map((l) => l.id)
const readModelStatus = async (id: string) => (await env.DB.prepare('SELECT status FROM listings WHERE id = ?').bind(id).first<{ status: string }>())?.status

async function list(seller: Registered, body: Record<string, unknown>): Promise<ListingView> {
  const res = await call('/v1/listings', { method: 'POST', token: seller.token, json: body })
  if (res.status !== 201) throw new Error(`listing refused: ${res.status} ${await res.text()}`)
  return json<ListingView>(res)
}
const fixedBody = (title: string, quantity = 3) => ({ title, description: 'Stoneware', category: 'kitchen', format: 'fixed_price', price: { amount: 1200, currency: 'USD' }, quantity, acceptsOffers: true })
const auctionBody = (title: string, endsInMs: number) => ({
  title,
  description: 'Brass',
  category: 'home',
  format: 'auction',
  auction: { startingBid: { amount: 1000, currency: 'USD' }, buyNowPrice: { amount: 9000, currency: 'USD' }, endsAt: new Date(Date.now() + endsInMs).toISOString() },
})
const bid = (buyer: Registered, id: string, amount: number) => call(`/v1/listings/${id}/bids`, { method: 'POST', token: buyer.token, json: { maxAmount: { amount, currency: 'USD' } } })
const offer = (buyer: Registered, id: string) => call(`/v1/listings/${id}/offers`, { method: 'POST', token: buyer.token, json: { amount: { amount: 1000, currency: 'USD' } } })

describe('freezing a seller', () => {
  it('takes their listings out of search and stops buying, bidding and offers at once; unfreezing brings them back', async () => {
    const staff = await admin()
    const seller = await register('seller')
    const buyer = await register('buyer')
    const title = word()
    const mug = await list(seller, fixedBody(`${title} mug`))
    const lamp = await list(seller, auctionBody(`${title} lamp`, 24 * 3600_000))
    expect((await search(`q=${title}`)).sort()).toEqual([mug.id, lamp.id].sort())

    const frozen = await setFrozen(staff, seller.user.id, true)
    expect(frozen.status).toBe(200)
    // Search, the seller's own filter and the facets no longer see them; the read model keeps the rows.
    expect(await search(`q=${title}`)).toEqual([])
    expect(await search(`sellerId=${seller.user.id}`)).toEqual([])
    expect(await json(await call(`/v1/listings/facets?q=${title}`))).toMatchObject({ category: [], format: [] })
    expect(await readModelStatus(mug.id)).toBe('suspended')
    const shown = await json<ListingView>(await call(`/v1/listings/${lamp.id}`))
    expect(shown).toMatchObject({ status: 'active', suspended: true })
    expect(shown).not.toHaveProperty('buyNowPrice')

    for (const res of [await checkout(buyer, checkoutBody(mug.id)), await checkout(buyer, checkoutBody(lamp.id)), await bid(buyer, lamp.id, 1500), await offer(buyer, mug.id)]) {
      expect({ status: res.status, body: await json(res) }).toMatchObject({ status: 409, body: { code: 'seller_frozen' } })
    }
    expect(await listingStub(env, mug.id).view()).toMatchObject({ available: 3 })
    expect(await listingStub(env, lamp.id).view()).toMatchObject({ bidCount: 0 })
    // Repeating the freeze changes nothing more.
    expect((await setFrozen(staff, seller.user.id, true)).status).toBe(200)
    expect((await listingStub(env, mug.id).eventsSince(0)).filter((e) => e.type === 'listing.suspended')).toHaveLength(1)

    expect((await setFrozen(staff, seller.user.id, false)).status).toBe(200)
    expect((await search(`q=${title}`)).sort()).toEqual([mug.id, lamp.id].sort())
    expect(await readModelStatus(mug.id)).toBe('active')
    expect(await json(await call(`/v1/listings/${lamp.id}`))).not.toHaveProperty('suspended')
    expect((await checkout(buyer, checkoutBody(mug.id))).status).toBe(201)
    expect((await bid(buyer, lamp.id, 1500)).status).toBe(201)
  })

  it('a listing made as its seller is frozen suspends itself once it exists, and the unfreeze finds it', async () => {
    const staff = await admin()
    const seller = await register('seller')
    // The listing object exists, the freeze has landed, and the freeze's read of the read model missed it.
    const made = await fixedListing(seller, { quantity: 2 })
    await freeze(seller.user.id)
    const view = await listingStub(env, made.id).view()
    if (!view) throw new Error('no listing')
    const settled = await settleNewListing(env, view, rootLogger('warn'))
    expect(settled).toMatchObject({ id: made.id, suspended: true })
    expect(await readModelStatus(made.id)).toBe('suspended')
    const buyer = await register('buyer')
    expect(await json(await checkout(buyer, checkoutBody(made.id)))).toMatchObject({ code: 'seller_frozen' })

    expect((await setFrozen(staff, seller.user.id, false)).status).toBe(200)
    expect(await readModelStatus(made.id)).toBe('active')
    expect((await checkout(buyer, checkoutBody(made.id))).status).toBe(201)
  })

  it('a frozen seller cannot list at all', async () => {
    const staff = await admin()
    const seller = await register('seller')
    const key = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token: seller.token, json: { name: 'k', scopes: ['listings:write'] } }))
    expect((await setFrozen(staff, seller.user.id, true)).status).toBe(200)
    for (const token of [seller.token, key.key]) {
      const res = await call('/v1/listings', { method: 'POST', token, json: fixedBody(word()) })
      expect([401, 403]).toContain(res.status)
    }
    expect(await search(`sellerId=${seller.user.id}`)).toEqual([])
  })

  it('an auction that reaches its end while its seller is frozen ends without a sale: no winner, no order', async () => {
    const staff = await admin()
    const seller = await register('seller')
    const bidder = await register('bidder')
    const lamp = await list(seller, auctionBody(word(), 3600_000))
    expect((await bid(bidder, lamp.id, 2500)).status).toBe(201)
    expect((await setFrozen(staff, seller.user.id, true)).status).toBe(200)

    // Its end comes (the object's clock moved past it) while the seller is still frozen.
    const stub = listingStub(env, lamp.id)
    const endsAt = Date.parse((await stub.view())?.endsAt ?? '')
    await runInDurableObject(stub, (o: ListingObject) => {
      o.now = () => new Date(endsAt + 1000)
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    const ended = await stub.view()
    expect(ended).toMatchObject({ status: 'ended', bidCount: 1, suspended: true })
    const events = await stub.eventsSince(0)
    expect(events.filter((e) => e.type === 'auction.ended').map((e) => e.data)).toEqual([expect.objectContaining({ outcome: 'cancelled', finalPrice: null })])
    expect(events.map((e) => e.type)).not.toContain('auction.won')
    await eventually(() => stub.pendingOutbox(), (pending) => pending.length === 0)
    expect(await env.DB.prepare('SELECT id FROM orders WHERE id = ?').bind(auctionOrderId(lamp.id)).first()).toBeNull()

    // Unfrozen after its end, it is back in the read model as the ended auction it is, unsold.
    expect((await setFrozen(staff, seller.user.id, false)).status).toBe(200)
    expect(await readModelStatus(lamp.id)).toBe('ended')
    expect(await stub.view()).toMatchObject({ status: 'ended' })
  })
})

describe('a freeze racing checkouts', () => {
  it('after the freeze answers no new hold succeeds; nothing is oversold; no refused checkout is charged', async () => {
    const staff = await admin()
    const seller = await register('seller')
    const listing = await fixedListing(seller, { quantity: 25, price: 1000 })
    await call(`/v1/listings/${listing.id}`) // the object is warm
    // The read model has the listing, as the seller's listing route would have left it.
    await eventually(() => readModelStatus(listing.id), (s) => s === 'active')
    const buyers = await Promise.all(Array.from({ length: 12 }, (_, i) => register(`buyer${i}`)))

    type Attempt = { buyer: Registered; key: string; started: number; status?: number; code?: string }
    const attempt = async (buyer: Registered): Promise<Attempt> => {
      const a: Attempt = { buyer, key: crypto.randomUUID(), started: Date.now() }
      const res = await checkout(buyer, checkoutBody(listing.id), a.key)
      a.status = res.status
      a.code = (await json<{ code?: string }>(res)).code
      return a
    }
    const before = Array.from({ length: 40 }, (_, i) => attempt(buyers[i % buyers.length] as Registered))
    // The freeze lands once the first holds are in, with the other checkouts still on their way.
    await eventually(() => listing.stub.view(), (v) => (v?.available ?? 25) < 25, 20_000)
    const frozen = await setFrozen(staff, seller.user.id, true)
    expect(frozen.status).toBe(200)
    const answeredAt = Date.now()
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(buyers[i % buyers.length] as Registered)))
    const all = [...(await Promise.all(before)), ...after]

    // Every checkout had a clean answer: paid, sold out, or refused for the freeze.
    for (const a of all) expect([201, 409]).toContain(a.status)
    expect(all.filter((a) => a.status === 409).every((a) => a.code === 'seller_frozen' || a.code === 'sold_out')).toBe(true)
    // Those that began after the freeze answered were all refused for it.
    expect(after.every((a) => a.started >= answeredAt && a.status === 409 && a.code === 'seller_frozen')).toBe(true)

    // In the listing's own log, no hold comes after the suspension.
    const events = await listing.stub.eventsSince(0)
    const suspendedAt = events.find((e) => e.type === 'listing.suspended')?.seq
    expect(suspendedAt).toBeDefined()
    expect(events.filter((e) => e.type === 'stock.reserved' && e.seq > (suspendedAt ?? 0))).toEqual([])

    // Nothing oversold: what sold is what was paid for, within the stock, and nothing stays held.
    const paid = all.filter((a) => a.status === 201)
    // The holds made before the freeze went through to payment.
    expect(paid.length).toBeGreaterThan(0)
    const view = await eventually(() => listing.stub.view(), (v) => v !== null && (v.available ?? 0) + paid.length === 25)
    expect(view).toMatchObject({ quantity: 25, suspended: true })
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM orders WHERE seller_id = ? AND status = 'paid'").bind(seller.user.id).all<{ n: number }>()
    expect(results[0]?.n).toBe(paid.length)

    // Nothing charged for a refused checkout; one capture for each paid one.
    for (const a of all) {
      const charge = await chargeOf(await checkoutOrderId(a.buyer.user.id, a.key))
      if (a.status === 201) expect(charge).toMatchObject({ status: 'captured', captures: 1 })
      else expect(charge).toBeNull()
    }
  }, 120_000)
})
