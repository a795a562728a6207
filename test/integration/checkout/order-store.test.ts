import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../../src/db/client'
import { captureTransaction, refundTransaction } from '../../../src/ledger/ledger'
import { d1OrderBook } from '../../../src/orders/order-book-store'
import type { OrderDraft } from '../../../src/orders/order-draft'
import type { OrderEventRow } from '../../../src/orders/order-event'
import { newId } from '../../../src/platform/runtime'

/** The order book over real D1: what a checkout writes, in one batch, and what it never writes. */
function book() {
  const published: OrderEventRow[][] = []
  const b = d1OrderBook(database(env.DB), (p) => newId(p), (_orderId, written) => {
    if (written) published.push(written)
    return Promise.resolve()
  })
  return { book: b, published }
}

const draft = (over: Partial<OrderDraft> = {}): OrderDraft => ({
  id: newId('ord'),
  buyerId: newId('usr'),
  sellerId: newId('usr'),
  currency: 'USD',
  total: 3000,
  items: [{ listingId: newId('lst'), quantity: 2, unitPrice: 1500 }],
  shippingAddress: 'v1.test.not-opened-by-the-store',
  checkoutKey: crypto.randomUUID(),
  paymentMethod: 'pm_card_visa',
  paymentDueAt: new Date(Date.now() + 900_000).toISOString(),
  createdAt: new Date().toISOString(),
  ...over,
})

const rows = async (orderId: string) => {
  const [orders, events, payments, ledger] = await env.DB.batch([
    env.DB.prepare('SELECT status, version, total FROM orders WHERE id = ?').bind(orderId),
    env.DB.prepare('SELECT seq, status, action, published_at FROM order_events WHERE order_id = ? ORDER BY seq').bind(orderId),
    env.DB.prepare('SELECT status, captured, amount, provider_ref FROM payments WHERE order_id = ?').bind(orderId),
    env.DB.prepare('SELECT t.kind, e.account, e.amount FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id WHERE t.order_id = ? ORDER BY e.account').bind(orderId),
  ])
  return { orders: orders?.results, events: events?.results, payments: payments?.results, ledger: ledger?.results }
}

describe('recordCheckout', () => {
  it('writes a paid order with its history, payment, ledger capture and outbox, and hands the rows to publish', async () => {
    const { book: b, published } = book()
    const d = draft()
    const at = new Date().toISOString()
    const recorded = await b.recordCheckout(d, { status: 'paid', provider: 'sandbox', providerRef: 'pi_1' }, at)
    expect(recorded).toMatchObject({ result: 'recorded', order: { id: d.id, status: 'paid', version: 2 } })
    expect(await rows(d.id)).toEqual({
      orders: [{ status: 'paid', version: 2, total: 3000 }],
      events: [
        { seq: 1, status: 'pending_payment', action: 'create', published_at: null },
        { seq: 2, status: 'paid', action: 'pay', published_at: null },
      ],
      payments: [{ status: 'captured', captured: 1, amount: 3000, provider_ref: 'pi_1' }],
      ledger: [
        { kind: 'capture', account: 'buyer_funding', amount: -3000 },
        { kind: 'capture', account: 'escrow', amount: 3000 },
      ],
    })
    expect(published).toHaveLength(1)
    expect(published[0]?.map((r) => [r.seq, r.status])).toEqual([
      [1, 'pending_payment'],
      [2, 'paid'],
    ])
  })

  it('answers exists for an order written before and writes nothing more, even with another payment', async () => {
    const { book: b, published } = book()
    const d = draft()
    const at = new Date().toISOString()
    await b.recordCheckout(d, { status: 'pending_payment' }, at)
    const before = await rows(d.id)
    expect(await b.recordCheckout(d, { status: 'paid', provider: 'sandbox', providerRef: 'pi_2' }, at)).toMatchObject({ result: 'exists' })
    expect(await rows(d.id)).toEqual(before)
    expect(before.orders).toEqual([{ status: 'pending_payment', version: 1, total: 3000 }])
    expect(published).toHaveLength(1)
  })

  it('never writes a paid or pending order for a checkout given up, but may write it cancelled to give money back', async () => {
    const { book: b } = book()
    const d = draft()
    const at = new Date().toISOString()
    expect(await b.abandon(d.id, 'hold_expired', at)).toBeUndefined()
    expect(await b.recordCheckout(d, { status: 'paid', provider: 'sandbox', providerRef: 'pi_3' }, at)).toMatchObject({ result: 'abandoned' })
    expect(await b.recordCheckout(d, { status: 'pending_payment' }, at)).toMatchObject({ result: 'abandoned' })
    expect(await rows(d.id)).toEqual({ orders: [], events: [], payments: [], ledger: [] })
    expect(await b.recordCheckout(d, { status: 'cancelled', reason: 'hold_expired' }, at)).toMatchObject({ result: 'recorded', order: { status: 'cancelled' } })
    expect((await rows(d.id)).events).toEqual([
      { seq: 1, status: 'pending_payment', action: 'create', published_at: null },
      { seq: 2, status: 'cancelled', action: 'cancel', published_at: null },
    ])
  })

  it('does not give up an order that was written: abandon answers it instead', async () => {
    const { book: b } = book()
    const d = draft()
    await b.recordCheckout(d, { status: 'paid', provider: 'sandbox', providerRef: 'pi_4' }, new Date().toISOString())
    expect(await b.abandon(d.id, 'hold_expired', new Date().toISOString())).toMatchObject({ id: d.id, status: 'paid' })
    const tombstone = await env.DB.prepare('SELECT count(*) AS n FROM abandoned_checkouts WHERE order_id = ?').bind(d.id).first<{ n: number }>()
    expect(tombstone?.n).toBe(0)
  })

  it('of a paid write and a give-up racing, exactly one wins', async () => {
    const { book: b } = book()
    for (let i = 0; i < 20; i++) {
      const d = draft()
      const at = new Date().toISOString()
      const [written, given] = await Promise.all([b.recordCheckout(d, { status: 'paid', provider: 'sandbox', providerRef: `pi_r${i}` }, at), b.abandon(d.id, 'hold_expired', at)])
      const tombstone = (await env.DB.prepare('SELECT count(*) AS n FROM abandoned_checkouts WHERE order_id = ?').bind(d.id).first<{ n: number }>())?.n
      if (written.result === 'recorded') {
        expect(tombstone).toBe(0)
        expect(given?.status).toBe('paid')
      } else {
        expect(written.result).toBe('abandoned')
        expect(tombstone).toBe(1)
        expect((await rows(d.id)).orders).toEqual([])
      }
    }
  })
})

it('late money first seen as an authorization, then as a capture, ends booked as captured and refunded, once', async () => {
  const { book: b } = book()
  const d = draft()
  const { order } = await b.recordCheckout(d, { status: 'cancelled', reason: 'hold_expired' }, new Date().toISOString())
  const orderId = order.id
  const payment = (captured: boolean) => ({ orderId, provider: 'sandbox', providerRef: 'pay_x', amount: order.total, currency: order.currency, captured })
  const at = new Date().toISOString()
  // Reconciliation saw an authorization (to void)…
  await b.recordLateMoney(order, payment(false), null, null, at)
  // …while the capture, already in flight, landed and reports the same money captured, twice.
  await b.recordLateMoney(order, payment(true), refundTransaction(order), captureTransaction(order), at)
  await b.recordLateMoney(order, payment(true), refundTransaction(order), captureTransaction(order), at)
  expect(await b.payment(orderId)).toMatchObject({ captured: true, status: 'refund_pending' })
  const { results } = await env.DB.prepare('SELECT kind, (SELECT count(*) FROM ledger_entries e WHERE e.transaction_id = t.id) AS entries FROM ledger_transactions t WHERE order_id = ? ORDER BY kind').bind(orderId).all()
  expect(results).toEqual([
    { kind: 'capture', entries: 2 },
    { kind: 'refund', entries: 2 },
  ])
})
