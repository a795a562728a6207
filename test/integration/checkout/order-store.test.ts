import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { captureTransaction, refundTransaction } from '../../../src/ledger/ledger'
import { d1OrderBook } from '../../../src/orders/order-store'
import { newId } from '../../../src/platform/runtime'
import { register } from '../support/api'
import { checkout, checkoutBody, fixedListing } from './checkout-fixtures'

it('late money first seen as an authorization, then as a capture, ends booked as captured and refunded, once', async () => {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller)
  const { orderId } = await (await checkout(buyer, checkoutBody(listing.id, 'pm_card_chargeDeclined'))).json<{ orderId: string }>()
  const book = d1OrderBook(env.DB, (p) => newId(p))
  const order = await book.get(orderId)
  if (order?.status !== 'cancelled') throw new Error('expected a cancelled order')
  const payment = (captured: boolean) => ({ id: newId('pay'), orderId, provider: 'sandbox', providerRef: 'pay_x', amount: order.total, currency: order.currency, captured })
  const at = new Date().toISOString()
  // Reconciliation saw an authorization (to void)…
  await book.recordLateMoney(order, payment(false), null, null, at)
  // …while the saga's capture, already in flight, landed and reports the same money captured, twice.
  await book.recordLateMoney(order, payment(true), refundTransaction(order), captureTransaction(order), at)
  await book.recordLateMoney(order, payment(true), refundTransaction(order), captureTransaction(order), at)
  expect(await book.payment(orderId)).toMatchObject({ captured: true, status: 'refund_pending' })
  const { results } = await env.DB.prepare('SELECT kind, (SELECT count(*) FROM ledger_entries e WHERE e.transaction_id = t.id) AS entries FROM ledger_transactions t WHERE order_id = ? ORDER BY kind').bind(orderId).all()
  expect(results).toEqual([
    { kind: 'capture', entries: 2 },
    { kind: 'refund', entries: 2 },
  ])
})
