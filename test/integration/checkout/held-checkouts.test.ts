import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { ListingObject } from '../../../src/listings/listing-object'
import { auctionOrderId } from '../../../src/orders/order-view'
import { call, json, register, type Registered } from '../support/api'
import { createAuction } from '../listings/fixtures'
import { chargeOf, checkout, checkoutBody, eventually, fixedListing, order } from './checkout-fixtures'

async function wonAuction(seller: Registered, winner: Registered) {
  const { id, stub } = await createAuction({}, 3_600_000, seller.user.id)
  const endsAt = (await stub.view())?.endsAt ?? ''
  expect(await stub.placeBid({ bidderId: winner.user.id, maxAmount: { amount: 4200, currency: 'USD' } })).toMatchObject({ ok: true })
  await runInDurableObject(stub, (o: ListingObject) => {
    o.now = () => new Date(Date.parse(endsAt) + 1000)
  })
  await runDurableObjectAlarm(stub)
  return { id, stub, orderId: auctionOrderId(id) }
}

describe('checkouts against an existing hold', () => {
  it('a won auction becomes the winner’s order, which they pay through the same checkout', async () => {
    const seller = await register('seller')
    const winner = await register('winner')
    const auction = await wonAuction(seller, winner)
    const opened = await eventually(() => env.DB.prepare('SELECT status, total, source FROM orders WHERE id = ?').bind(auction.orderId).first(), (o) => o !== null)
    expect(opened).toEqual({ status: 'pending_payment', total: 1000, source: 'auction' })
    const claimed = await eventually(() => auction.stub.eventsSince(0), (events) => events.some((e) => e.type === 'stock.claimed'))
    expect(claimed.find((e) => e.type === 'stock.claimed')?.private).toMatchObject({ reservationId: auction.orderId })

    const stranger = await register('stranger')
    const notTheirs = await checkout(stranger, checkoutBody(auction.id))
    expect(notTheirs.status).toBe(409)

    const res = await checkout(winner, checkoutBody(auction.id))
    expect(res.status).toBe(201)
    expect(await json(res)).toMatchObject({ id: auction.orderId, status: 'paid', total: { amount: 1000, currency: 'USD' } })
    expect(await chargeOf(auction.orderId)).toMatchObject({ captures: 1, amount: 1000 })
    expect((await auction.stub.eventsSince(0)).filter((e) => e.type === 'stock.committed')).toHaveLength(1)
  })

  it('an unpaid auction win expires with its hold: the order is cancelled', async () => {
    const seller = await register('seller')
    const winner = await register('winner')
    const auction = await wonAuction(seller, winner)
    await eventually(() => auction.stub.eventsSince(0), (events) => events.some((e) => e.type === 'stock.claimed'))
    await runInDurableObject(auction.stub, (o: ListingObject) => {
      o.now = () => new Date(Date.now() + 72 * 3_600_000)
    })
    await runDurableObjectAlarm(auction.stub)
    expect((await order(winner.token, auction.orderId)).status).toBe('cancelled')
  })

  it('an accepted offer is checked out at the offered price, against its hold', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller, { quantity: 1, price: 5000, acceptsOffers: true })
    const made = await call(`/v1/listings/${listing.id}/offers`, { method: 'POST', token: buyer.token, json: { amount: { amount: 4000, currency: 'USD' } } })
    expect(made.status).toBe(201)
    const { id: offerId } = await json<{ id: string }>(made)
    expect((await call(`/v1/offers/${offerId}/accept`, { method: 'POST', token: seller.token })).status).toBe(200)
    // Someone else cannot buy the held unit meanwhile.
    expect((await checkout(await register('other'), checkoutBody(listing.id))).status).toBe(409)
    const res = await checkout(buyer, checkoutBody(listing.id))
    expect(res.status).toBe(201)
    expect(await json(res)).toMatchObject({ status: 'paid', total: { amount: 4000, currency: 'USD' }, items: [{ unitPrice: { amount: 4000 } }] })
    expect(await listing.stub.view()).toMatchObject({ available: 0, status: 'sold_out' })
  })
})
