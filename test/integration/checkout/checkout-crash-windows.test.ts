import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import type { ListingObject } from '../../../src/listings/listing-object'
import { instrumentEnv, type BindingCall, type BindingProbe } from '../../../src/platform/instrumented-env'
import { json, register, type Registered } from '../support/api'
import { chargeOf, checkout, checkoutBody, checkoutRequest, eventually, fixedListing, order } from './checkout-fixtures'

/**
 * PAYMENTS.md "The checkout saga": every crash window between the saga's steps is closed by reconciliation, and
 * a retry with the same key lands on the same order. Faults are injected around the bindings of
 * the checkout request itself (instrumentEnv): before a call (it never happened) or after it (it
 * happened, and the answer was lost), as a worker dying or a network dropping would.
 */
const app = createApp()
const lost = () => Object.assign(new Error('Network connection lost.'), { retryable: true })

async function checkoutThrough(probe: BindingProbe, buyer: Registered, listingId: string, key: string): Promise<Response> {
  const ctx = createExecutionContext()
  const res = await app.fetch(
    checkoutRequest(buyer.token, listingId, key),
    instrumentEnv(env, probe),
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return res
}

/** The D1 batch that writes the order: the first batch that writes. */
const isOrderBatch = (call: BindingCall) => call.kind === 'd1' && call.op === 'batch' && call.write === true

const sold = async (stub: DurableObjectStub<ListingObject>) => (await stub.eventsSince(0)).filter((e) => e.type === 'stock.committed').length

describe('checkout crash windows', () => {
  it('after the charge, before the D1 batch: 503, nothing written; reconciliation writes the order paid from its draft, and a retry answers it', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const key = crypto.randomUUID()
    let dropped = 0
    const res = await checkoutThrough({ before: (call) => { if (isOrderBatch(call) && dropped++ === 0) throw lost() } }, buyer, listing.id, key)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).not.toBeNull()
    expect(await json(res)).toMatchObject({ code: 'service_unavailable' })
    const { results } = await env.DB.prepare('SELECT id FROM orders WHERE buyer_id = ?').bind(buyer.user.id).all<{ id: string }>()
    expect(results).toEqual([])
    // The money was taken and the unit is still held: nothing was undone after the charge.
    expect((await listing.stub.view())?.available).toBe(0)

    // The reconciliation job, queued with the draft before the charge, finishes it.
    const paid = await eventually(
      async () => (await env.DB.prepare("SELECT id FROM orders WHERE buyer_id = ? AND status = 'paid'").bind(buyer.user.id).all<{ id: string }>()).results,
      (rows) => rows.length === 1,
    )
    const id = paid[0]?.id ?? ''
    await eventually(() => sold(listing.stub), (n) => n === 1)
    expect(await chargeOf(id)).toMatchObject({ captures: 1, attempts: 1 })

    const again = await checkout(buyer, checkoutBody(listing.id), key)
    expect(again.status).toBe(201)
    expect(await json(again)).toMatchObject({ id, status: 'paid' })
    expect(await chargeOf(id)).toMatchObject({ captures: 1 })
  })

  it('after the D1 batch, before the answer: 503; the retry with the same key answers the paid order and sells the unit once', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller, { quantity: 2 })
    const key = crypto.randomUUID()
    let dropped = 0
    const res = await checkoutThrough({ after: (call) => { if (isOrderBatch(call) && dropped++ === 0) throw lost() } }, buyer, listing.id, key)
    expect(res.status).toBe(503)
    const { results } = await env.DB.prepare("SELECT id FROM orders WHERE buyer_id = ? AND status = 'paid'").bind(buyer.user.id).all<{ id: string }>()
    expect(results).toHaveLength(1)
    const id = results[0]?.id ?? ''

    const again = await checkout(buyer, checkoutBody(listing.id), key)
    expect(again.status).toBe(201)
    expect(await json(again)).toMatchObject({ id, status: 'paid' })
    expect(await sold(listing.stub)).toBe(1)
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    expect(await chargeOf(id)).toMatchObject({ captures: 1 })
  })

  it('the hold lapses while the charge is in flight: the checkout is given up, the money goes back, and a retry charges nothing more', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const key = crypto.randomUUID()
    // Just before the provider is asked, the listing's clock passes the hold and its alarm runs.
    const lapse = async (call: BindingCall) => {
      if (call.binding !== 'SANDBOX_GATEWAY' || call.op !== 'charge') return
      await runInDurableObject(listing.stub, (o: ListingObject) => {
        o.now = () => new Date(Date.now() + 16 * 60_000)
      })
      await runDurableObjectAlarm(listing.stub)
    }
    const res = await checkoutThrough({ before: lapse }, buyer, listing.id, key)
    expect(res.status).toBe(409)
    const { orderId } = await json<{ code: string; orderId: string }>(res)
    expect(await json(await checkout(buyer, checkoutBody(listing.id), key))).toMatchObject({ code: 'checkout_cancelled', orderId })

    expect((await order(buyer.token, orderId)).status).toBe('cancelled')
    expect(await listing.stub.view()).toMatchObject({ available: 1, status: 'active' })
    expect(await sold(listing.stub)).toBe(0)
    const charge = await eventually(() => chargeOf(orderId), (c) => c?.status === 'refunded')
    expect(charge).toMatchObject({ captures: 1, refunds: 1, attempts: 1 })
    const books = await env.DB.prepare('SELECT kind FROM ledger_transactions WHERE order_id = ? ORDER BY kind').bind(orderId).all<{ kind: string }>()
    expect(books.results.map((r) => r.kind)).toEqual(['capture', 'refund'])
  })

  it('a listing call whose answer is lost while holding: 503, the hold kept for the retry with the same key, which buys it', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const key = crypto.randomUUID()
    let dropped = 0
    const res = await checkoutThrough({ after: (call) => { if (call.binding === 'LISTINGS' && call.op === 'reserve' && dropped++ === 0) throw lost() } }, buyer, listing.id, key)
    expect(res.status).toBe(503)
    // Nothing charged or written; the unit stays held for this checkout (it lapses if nobody comes back).
    expect(await listing.stub.view()).toMatchObject({ available: 0 })
    const { results } = await env.DB.prepare('SELECT id FROM orders WHERE buyer_id = ?').bind(buyer.user.id).all()
    expect(results).toEqual([])
    const again = await checkout(buyer, checkoutBody(listing.id), key)
    expect(again.status).toBe(201)
    expect(await sold(listing.stub)).toBe(1)
  })
})
