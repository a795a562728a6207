import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { verifyLedger } from '../../../src/ledger/ledger-store'
import { json, register, type Registered } from '../support/api'
import { checkout, checkoutBody, eventually, fixedListing, sandboxCharges } from './checkout-fixtures'

/** A client that retries with the same key until it gets a final answer, as the README tells clients to (a retry with the same key is the same order). */
async function buy(buyer: Registered, listingId: string, paymentMethod: string): Promise<{ status: number; orderId?: string }> {
  const key = crypto.randomUUID()
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await checkout(buyer, checkoutBody(listingId, paymentMethod), key)
    const body = await json<{ id?: string; orderId?: string; code?: string }>(res)
    // 409 idempotency_request_in_progress and 5xx are not final: the same key again.
    if (res.status >= 500 || body.code === 'idempotency_request_in_progress') continue
    return { status: res.status, orderId: body.id ?? body.orderId }
  }
  throw new Error('no final answer after 20 tries')
}

it('300 simultaneous checkouts for 10 units, a third through a flaky gateway: 10 paid, one capture each, no oversell, balanced', async () => {
  const seller = await register('seller')
  const listing = await fixedListing(seller, { quantity: 10, price: 1500 })
  const buyers = await Promise.all(Array.from({ length: 30 }, (_, i) => register(`buyer${i}`)))
  const results = await Promise.all(
    Array.from({ length: 300 }, (_, i) => buy(buyers[i % buyers.length] as Registered, listing.id, i % 3 === 0 ? 'pm_sandbox_flaky' : 'pm_card_visa')),
  )
  const paid = results.filter((r) => r.status === 201)
  expect(paid).toHaveLength(10)
  expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409)).toBe(true)

  // Nothing stays pending: every order ends paid or cancelled.
  const statuses = await eventually(
    async () => (await env.DB.prepare('SELECT status, count(*) AS n FROM orders WHERE seller_id = ? GROUP BY status').bind(seller.user.id).all<{ status: string; n: number }>()).results,
    (rows) => rows.every((r) => r.status === 'paid' || r.status === 'cancelled'),
  )
  expect(statuses.find((r) => r.status === 'paid')?.n).toBe(10)

  // Exactly one capture per paid order, none for anything else, in the provider's own record.
  const paidIds = new Set(paid.map((r) => r.orderId))
  const charges = (await sandboxCharges()).filter((c) => c.amount === 1500 && paidIds.has(c.key))
  expect(charges).toHaveLength(10)
  expect(charges.every((c) => c.captures === 1 && c.status === 'captured')).toBe(true)
  const { results: captured } = await env.DB.prepare("SELECT count(*) AS n FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.seller_id = ? AND p.status = 'captured'").bind(seller.user.id).all<{ n: number }>()
  expect(captured[0]?.n).toBe(10)

  // No oversell: the listing sold exactly its 10 units and holds nothing.
  expect(await listing.stub.view()).toMatchObject({ quantity: 10, available: 0, status: 'sold_out' })
  const verification = await verifyLedger(env.DB)
  expect(verification.checks.filter((c) => !c.ok)).toEqual([])
}, 120_000)
