import { abortAllDurableObjects, createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { listingStub, type ListingObject } from '../../../src/listings/listing-object'
import { json, register } from '../support/api'
import { chargeOf, checkout, checkoutBody, eventually, fixedListing, order } from './checkout-fixtures'

/** Moves the listing object's clock past every hold and runs its alarm, as if the TTL had passed. */
async function lapseHolds(stub: DurableObjectStub<ListingObject>): Promise<void> {
  await runInDurableObject(stub, (o: ListingObject) => {
    o.now = () => new Date(Date.now() + 16 * 60_000)
  })
  await runDurableObjectAlarm(stub)
}

const committed = async (stub: DurableObjectStub<ListingObject>) => (await stub.eventsSince(0)).filter((e) => e.type === 'stock.committed').length

describe('checkout under injected faults', () => {
  it('a crash between charge and commit: the order is paid, and the lapsing reservation commits instead of releasing', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    // RPC calls prototype methods, so the fault goes on the prototype, and comes off again after.
    const original = await runInDurableObject(listing.stub, (o: ListingObject) => {
      const proto = Object.getPrototypeOf(o) as ListingObject
      const commit = proto.commit
      proto.commit = () => Promise.reject(new Error('injected: worker died before commit'))
      return commit
    })
    let id: string
    try {
      const res = await checkout(buyer, checkoutBody(listing.id))
      expect(res.status).toBe(201)
      id = (await json<{ id: string }>(res)).id
      expect(await committed(listing.stub)).toBe(0)
    } finally {
      await runInDurableObject(listing.stub, (o: ListingObject) => {
        ;(Object.getPrototypeOf(o) as ListingObject).commit = original
      })
    }

    await abortAllDurableObjects() // the object restarts: memory gone, storage and alarm kept
    const restarted = listingStub(env, listing.id)
    await lapseHolds(restarted)
    expect(await committed(restarted)).toBe(1)
    expect(await restarted.view()).toMatchObject({ available: 0, status: 'sold_out' })
    expect((await order(buyer.token, id)).status).toBe('paid')
    expect(await chargeOf(id)).toMatchObject({ captures: 1 })
  })

  it('a reservation that lapses while the payment is unknown: the order is cancelled, the stock returns, the late money goes back', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'))
    expect(res.status).toBe(202)
    const { id } = await json<{ id: string }>(res)
    await lapseHolds(listing.stub)
    expect((await order(buyer.token, id)).status).toBe('cancelled')
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
    // Reconciliation finds the charge that landed (captured at once) and refunds it.
    const charge = await eventually(() => chargeOf(id), (c) => c?.status === 'refunded')
    expect(charge).toMatchObject({ captures: 1, refunds: 1 })
    const payment = await env.DB.prepare('SELECT status, captured FROM payments WHERE order_id = ?').bind(id).first()
    expect(payment).toEqual({ status: 'refunded', captured: 1 })
    expect((await order(buyer.token, id)).status).toBe('cancelled')
  })

  it('a gateway that answers 5xx every time: 202, nothing charged, and the order is cancelled when its hold lapses', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_error'))
    expect(res.status).toBe(202)
    const { id } = await json<{ id: string }>(res)
    expect(await chargeOf(id)).toMatchObject({ status: 'attempted', captures: 0 })
    await lapseHolds(listing.stub)
    expect((await order(buyer.token, id)).status).toBe('cancelled')
    expect(await listing.stub.view()).toMatchObject({ available: 1 })
  })

  it('a redelivered reconciliation job and a restarted listing object capture once and commit once', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const res = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'))
    const { id } = await json<{ id: string }>(res)
    await abortAllDurableObjects() // the object restarts between the 202 and reconciliation
    const job = { kind: 'reconcile', orderId: id, attempt: 1 }
    const batch = createMessageBatch('souk-jobs', [0, 1, 2].map((i) => ({ id: `r${i}`, timestamp: new Date(), attempts: 1, body: job })))
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['r0', 'r1', 'r2'])
    expect((await order(buyer.token, id)).status).toBe('paid')
    expect(await chargeOf(id)).toMatchObject({ status: 'captured', captures: 1 })
    expect(await committed(listingStub(env, listing.id))).toBe(1)
  })

  it('a retry with the same key after a 202 answers the same 202 and charges nothing more', async () => {
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller)
    const key = crypto.randomUUID()
    const first = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'), key)
    const again = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_timeout'), key)
    expect(again.status).toBe(first.status)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const { id } = await json<{ id: string }>(first)
    expect((await chargeOf(id))?.attempts).toBeLessThanOrEqual(3)
  })
})
