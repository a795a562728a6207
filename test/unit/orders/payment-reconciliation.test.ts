import { describe, expect, it } from 'vitest'
import { money } from '../../../src/core/money'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import { reconcileOrder } from '../../../src/checkout/payment-reconciliation'
import { fakeOrderWorld, fixedListing, orderRecord, SECOND, SETTINGS, type FakeWorld } from '../../support/fake-order-ports'

const BUYER = 'usr_buyer'

/** A world with one order waiting on an answer the provider never gave (`answer` decides whether it charged). */
async function pendingOrder(answer: 'unknown' | 'lost' = 'unknown'): Promise<{ w: FakeWorld; id: string; due: number }> {
  const w = fakeOrderWorld()
  w.stock.add(fixedListing({ id: 'lst_a', price: 2_500 }))
  w.gateway.script('authorize', answer)
  const r = await runCheckout(w.ports, {
    buyerId: BUYER,
    key: 'idem-1',
    items: [{ listingId: 'lst_a', quantity: 1 }],
    paymentMethod: 'pm_card_visa',
    shippingAddress: { line1: '1 Main St' },
    steppedUp: false,
  })
  if (r.kind !== 'pending') throw new Error(`expected a pending checkout, got ${r.kind}`)
  const order = w.orders.only()
  return { w, id: order.id, due: Date.parse(order.paymentDueAt ?? '') }
}

const request = (id: string) => ({ key: id, amount: money(2_500, 'USD') })

describe('reconcileOrder: an order still waiting', () => {
  it('captures an authorization it finds, once, and the order is paid with its stock sold', async () => {
    const { w, id } = await pendingOrder('lost')
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('paid')
    expect(w.gateway.callsOf('retrieve')).toHaveLength(1)
    expect(w.gateway.callsOf('capture')).toEqual([{ method: 'capture', key: `${id}:capture`, paymentId: w.gateway.charges.get(id)?.paymentId, amount: money(2_500, 'USD') }])
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)

    await reconcileOrder(w.ports, id, 2)
    expect(w.gateway.callsOf('capture')).toHaveLength(1)
    expect(w.gateway.charges.get(id)?.captures).toBe(1)
  })

  it('records a charge it finds already captured without capturing again', async () => {
    const { w, id } = await pendingOrder()
    const charge = w.gateway.land(request(id), 'captured')
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('paid')
    expect(w.gateway.callsOf('capture')).toEqual([])
    expect(w.orders.payments.get(id)).toMatchObject({ providerRef: charge.paymentId, status: 'captured' })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)
  })

  it('cancels the order and gives its stock back when the charge was declined', async () => {
    const { w, id } = await pendingOrder()
    w.gateway.land(request(id), 'declined')
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.orders.history.at(-1)).toMatchObject({ reason: 'payment_declined' })
    expect(w.stock.reservations()).toEqual([])
    expect(w.jobs.of('reconcile')).toHaveLength(1)
  })

  it('looks again later, before the order is due, while the provider knows of no charge', async () => {
    const { w, id } = await pendingOrder()
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('pending_payment')
    // The second look: reconcileDelaySeconds · 2^attempt, at most 120 s.
    expect(w.jobs.of('reconcile').at(-1)).toEqual({ kind: 'reconcile', orderId: id, attempt: 2, delaySeconds: 60 })
    await reconcileOrder(w.ports, id, 5)
    expect(w.jobs.of('reconcile').at(-1)).toEqual({ kind: 'reconcile', orderId: id, attempt: 6, delaySeconds: 120 })
  })

  it('never schedules the next look later than the moment the order is due', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due - 10 * SECOND))
    await reconcileOrder(w.ports, id, 3)
    expect(w.jobs.of('reconcile').at(-1)).toEqual({ kind: 'reconcile', orderId: id, attempt: 4, delaySeconds: 10 })
  })

  it('looks again when the provider cannot answer, leaving the order waiting', async () => {
    const { w, id } = await pendingOrder()
    w.gateway.script('retrieve', 'unknown')
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('pending_payment')
    expect(w.jobs.of('reconcile').at(-1)).toMatchObject({ attempt: 2 })
  })

  it('looks again when the authorization it found could not be captured yet', async () => {
    const { w, id } = await pendingOrder('lost')
    w.gateway.script('capture', 'unknown')
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('pending_payment')
    expect(w.jobs.of('reconcile').at(-1)).toMatchObject({ attempt: 2 })
    await reconcileOrder(w.ports, id, 2)
    expect(w.orders.only().status).toBe('paid')
    expect(w.gateway.charges.get(id)?.captures).toBe(1)
  })
})

describe('reconcileOrder: an order past its due time', () => {
  it('cancels an order the provider knows nothing of, releases its stock, and keeps looking', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.orders.history.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system', reason: 'payment_timeout' })
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', id)).toBe('released')
    expect(w.jobs.of('reconcile').at(-1)).toMatchObject({ orderId: id, attempt: 2 })
  })

  it('gives back a captured charge that a later look finds, once, and the books show it came and went', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)

    const late = w.gateway.land(request(id), 'captured')
    w.clock.advance(10 * 60 * SECOND)
    await reconcileOrder(w.ports, id, 2)

    expect(w.orders.only().status).toBe('cancelled')
    expect(w.gateway.callsOf('refund')).toEqual([{ method: 'refund', key: `${id}:refund`, paymentId: late.paymentId, amount: money(2_500, 'USD') }])
    expect(w.gateway.charges.get(id)).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(w.orders.payments.get(id)).toMatchObject({ status: 'refunded', captured: true, providerRef: late.paymentId })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
    expect(w.stock.state('lst_a').sold).toBe(0)

    // Another delivery of the job: the money is already on its way back.
    await reconcileOrder(w.ports, id, 3)
    expect(w.gateway.callsOf('refund')).toHaveLength(1)
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
  })

  it('voids a late authorization without booking anything', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)
    w.gateway.land(request(id), 'authorized')
    await reconcileOrder(w.ports, id, 2)
    expect(w.gateway.charges.get(id)).toMatchObject({ status: 'refunded', captures: 0, refunds: 1 })
    expect(w.orders.payments.get(id)).toMatchObject({ status: 'refunded', captured: false })
    expect(w.orders.ledger).toEqual([])
  })

  it('stops scheduling looks once paymentBoundMs has passed and the provider knows of no charge', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)
    const scheduled = w.jobs.of('reconcile').length
    w.clock.set(new Date(due + SETTINGS.paymentBoundMs + SECOND))
    await reconcileOrder(w.ports, id, 9)
    expect(w.jobs.of('reconcile')).toHaveLength(scheduled)
    expect(w.orders.only().status).toBe('cancelled')
  })

  it('past the bound, still gives back a capture it finds', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)
    w.gateway.land(request(id), 'captured')
    w.clock.set(new Date(due + SETTINGS.paymentBoundMs + SECOND))
    await reconcileOrder(w.ports, id, 9)
    expect(w.orders.payments.get(id)).toMatchObject({ captured: true, status: 'refunded' })
    expect(w.orders.ledgerKinds(id).sort()).toEqual(['capture', 'refund'])
  })

  it('past the bound, keeps asking while the provider cannot say, and says so in the log', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)
    const scheduled = w.jobs.of('reconcile').length
    w.clock.set(new Date(due + SETTINGS.paymentBoundMs + SECOND))
    w.gateway.script('retrieve', 'unknown')
    await reconcileOrder(w.ports, id, 9)
    expect(w.jobs.of('reconcile')).toHaveLength(scheduled + 1)
    expect(w.logs.some((l) => l.level === 'error' && l.msg === 'payment_state_unknown_past_bound')).toBe(true)
  })

  it('a webhook (attempt 0) days after the bound still finds the money and gives it back, without scheduling more looks', async () => {
    const { w, id, due } = await pendingOrder()
    w.clock.set(new Date(due + SECOND))
    await reconcileOrder(w.ports, id, 1)
    const scheduled = w.jobs.of('reconcile').length
    w.gateway.land(request(id), 'authorized')
    w.clock.set(new Date(due + 3 * 24 * 3_600_000))
    await reconcileOrder(w.ports, id, 0)
    expect(w.orders.payments.get(id)).toMatchObject({ captured: false, status: 'refunded' })
    expect(w.jobs.of('reconcile')).toHaveLength(scheduled)
  })
})

describe('reconcileOrder: nothing to do', () => {
  it('leaves a paid order alone, without asking the provider', async () => {
    const { w, id } = await pendingOrder('lost')
    await reconcileOrder(w.ports, id, 1)
    const calls = w.gateway.calls.length
    await reconcileOrder(w.ports, id, 2)
    expect(w.gateway.calls).toHaveLength(calls)
  })

  it('ignores an unknown order and an order with no payment method', async () => {
    const w = fakeOrderWorld()
    w.orders.put(orderRecord({ id: 'ord_x', paymentMethod: null }))
    await reconcileOrder(w.ports, 'ord_missing', 1)
    await reconcileOrder(w.ports, 'ord_x', 1)
    expect(w.gateway.calls).toEqual([])
    expect(w.jobs.scheduled).toEqual([])
  })
})
