import { describe, expect, it } from 'vitest'
import { money } from '../../../src/core/money'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import type { CheckoutRequest } from '../../../src/checkout/checkout-context'
import type { OrderDraft } from '../../../src/orders/order-draft'
import { reconcileOrder } from '../../../src/orders/payment-reconciliation'
import { DAY, fakeOrderWorld, fakeSealAddress, fixedListing, MINUTE, orderRecord, SECOND, SETTINGS, T0, type Answer, type FakeWorld } from '../../support/fake-order-ports'

const BUYER = 'usr_buyer'
const ID = 'ord_usr_buyer_idem-1'
const DUE = T0.getTime() + SETTINGS.holdMs

const checkoutRequest: CheckoutRequest = {
  buyerId: BUYER,
  key: 'idem-1',
  orderId: ID,
  items: [{ listingId: 'lst_a', quantity: 1 }],
  paymentMethod: 'pm_card_visa',
  sealAddress: fakeSealAddress({ line1: '1 Main St' }),
  steppedUp: false,
  shippingCountry: null,
  origin: { ip: null, device: null, country: null },
credentialHash: null,
}

/** A one-unit listing checked out with the provider answering `answer`; the job the saga queued carries `draft`. */
async function checkedOut(answer: Answer): Promise<{ w: FakeWorld; draft: OrderDraft }> {
  const w = fakeOrderWorld()
  w.stock.add(fixedListing({ id: 'lst_a', price: 2_500, quantity: 2 }))
  w.gateway.script('charge', answer)
  await runCheckout(w.ports, checkoutRequest)
  const draft = w.jobs.of('reconcile').find((j) => j.orderId === ID)?.draft
  if (!draft) throw new Error('the checkout queued no job with a draft')
  return { w, draft }
}

/** An order written pending_payment: the provider's answer never came (`lost`: it took the money all the same). */
async function pendingOrder(answer: 'unknown' | 'lost' = 'unknown') {
  const r = await checkedOut(answer)
  expect(r.w.orders.only()).toMatchObject({ id: ID, status: 'pending_payment', paymentDueAt: new Date(DUE).toISOString() })
  return r
}

/**
 * A checkout whose order was never written, its hold kept: the provider could not be asked (the
 * saga answered payments_unavailable). What the provider holds is then set with `land`, as a
 * charge from a try that died before its record would leave it.
 */
async function unwritten() {
  const r = await checkedOut('unavailable')
  expect(r.w.orders.orders.size).toBe(0)
  expect(r.w.stock.reservations()).toEqual([{ listingId: 'lst_a', id: ID, quantity: 1 }])
  return r
}

const charge = { key: ID, amount: money(2_500, 'USD') }
const lastJob = (w: FakeWorld) => w.jobs.of('reconcile').at(-1)

function expectPaidAndSold(w: FakeWorld): void {
  const c = w.gateway.charges.get(ID)
  expect(w.orders.only()).toMatchObject({ id: ID, status: 'paid', version: 2 })
  expect(w.orders.statuses(ID)).toEqual(['pending_payment', 'paid'])
  expect(c?.captures).toBe(1)
  expect(w.orders.payments.get(ID)).toMatchObject({ providerRef: c?.paymentId, amount: 2_500, status: 'captured', captured: true })
  expect(w.orders.ledgerKinds(ID)).toEqual(['capture'])
  expect(w.orders.escrow()).toBe(2_500)
  expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  expect(w.stock.settled('lst_a', ID)).toBe('committed')
}

/** Money that reached a checkout given up or cancelled went back, once, and the books show it came and went. */
function expectGivenBack(w: FakeWorld): void {
  const c = w.gateway.charges.get(ID)
  expect(w.orders.only()).toMatchObject({ id: ID, status: 'cancelled' })
  expect(w.gateway.callsOf('refund')).toEqual([{ method: 'refund', key: `${ID}:refund`, paymentId: c?.paymentId, amount: money(2_500, 'USD') }])
  expect(c).toMatchObject({ status: 'refunded', captures: 1, refunds: 1 })
  expect(w.orders.payments.get(ID)).toMatchObject({ status: 'refunded', captured: true, providerRef: c?.paymentId })
  expect(w.orders.ledgerKinds(ID)).toEqual(['capture', 'refund'])
  expect(w.orders.escrow()).toBe(0)
  expect(w.stock.state('lst_a')).toMatchObject({ sold: 0, reservations: [] })
}

describe('reconcileOrder: a checkout never written, from the job’s draft', () => {
  it('finds the charge captured: writes the order paid in one record and sells the stock; a second delivery changes nothing', async () => {
    const { w, draft } = await unwritten()
    w.gateway.land(charge, 'captured')

    await reconcileOrder(w.ports, ID, 1, draft)
    await reconcileOrder(w.ports, ID, 1, draft)

    expectPaidAndSold(w)
    expect(w.orders.only()).toMatchObject({ total: 2_500, checkoutKey: 'idem-1', paymentDueAt: draft.paymentDueAt })
    expect(w.trace.filter((t) => t.startsWith('orders.recordCheckout'))).toEqual([`orders.recordCheckout ${ID} paid`])
    expect(w.gateway.callsOf('capture')).toEqual([])
  })

  it('finds an authorization (a provider that held the money): captures it once under the capture key, then writes the order paid', async () => {
    const { w, draft } = await unwritten()
    const held = w.gateway.land(charge, 'authorized')

    await reconcileOrder(w.ports, ID, 1, draft)

    expect(w.gateway.callsOf('capture')).toEqual([{ method: 'capture', key: `${ID}:capture`, paymentId: held.paymentId, amount: money(2_500, 'USD') }])
    expectPaidAndSold(w)
  })

  it('an authorization whose capture gets no answer: nothing written, the hold kept, asked again with the draft', async () => {
    const { w, draft } = await unwritten()
    w.gateway.land(charge, 'authorized')
    w.gateway.script('capture', 'unknown')

    await reconcileOrder(w.ports, ID, 1, draft)

    expect(w.orders.orders.size).toBe(0)
    expect(w.stock.reservations()).toEqual([{ listingId: 'lst_a', id: ID, quantity: 1 }])
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 2, delaySeconds: 60, draft })

    await reconcileOrder(w.ports, ID, 2, draft)
    expectPaidAndSold(w)
  })

  it('finds the charge declined: releases the hold, writes nothing, asks no more', async () => {
    const { w, draft } = await unwritten()
    w.gateway.land(charge, 'declined')
    const jobs = w.jobs.scheduled.length

    await reconcileOrder(w.ports, ID, 1, draft)

    expect(w.orders.orders.size).toBe(0)
    expect(w.trace.filter((t) => t.startsWith('orders.'))).toEqual([])
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ID)).toBe('released')
    expect(w.jobs.scheduled).toHaveLength(jobs)
  })

  it('before the order is due, while the provider knows of no charge: holds on and asks again, with the draft, never later than due', async () => {
    const { w, draft } = await unwritten()

    await reconcileOrder(w.ports, ID, 1, draft)
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 2, delaySeconds: 60, draft })
    await reconcileOrder(w.ports, ID, 5, draft)
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 6, delaySeconds: 120, draft })
    w.clock.set(new Date(DUE - 10 * SECOND))
    await reconcileOrder(w.ports, ID, 6, draft)
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 7, delaySeconds: 10, draft })

    expect(w.orders.orders.size).toBe(0)
    expect(w.orders.abandoned.size).toBe(0)
    expect(w.stock.reservations()).toEqual([{ listingId: 'lst_a', id: ID, quantity: 1 }])
  })

  it('before the order is due, while the provider cannot answer: asks again with the draft', async () => {
    const { w, draft } = await unwritten()
    w.gateway.script('retrieve', 'unknown')
    await reconcileOrder(w.ports, ID, 1, draft)
    expect(lastJob(w)).toMatchObject({ attempt: 2, draft })
    expect(w.stock.reservations()).toHaveLength(1)
    expect(w.orders.abandoned.size).toBe(0)
  })

  it('once due with no charge: gives the checkout up, releases the hold, and keeps asking with the draft', async () => {
    const { w, draft } = await unwritten()
    w.clock.set(new Date(DUE + SECOND))

    await reconcileOrder(w.ports, ID, 1, draft)

    expect(w.orders.abandoned.has(ID)).toBe(true)
    expect(w.orders.orders.size).toBe(0)
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ID)).toBe('released')
    expect(lastJob(w)).toMatchObject({ orderId: ID, attempt: 2, draft })
    // Given up: a paid record can no longer land (the saga's charge, if it came now, would be given back).
    const late = await w.orders.recordCheckout(draft, { status: 'paid', provider: 'fake', providerRef: 'pi_x' }, w.clock.now().toISOString())
    expect(late.result).toBe('abandoned')
    expect(w.orders.orders.size).toBe(0)
  })

  it('stops asking once paymentBoundMs has passed with no charge, and still asks while the provider cannot say', async () => {
    const { w, draft } = await unwritten()
    w.clock.set(new Date(DUE + SECOND))
    await reconcileOrder(w.ports, ID, 1, draft)
    const jobs = w.jobs.scheduled.length

    w.clock.set(new Date(DUE + SETTINGS.paymentBoundMs - SECOND))
    await reconcileOrder(w.ports, ID, 40, draft)
    expect(w.jobs.scheduled).toHaveLength(jobs + 1)

    w.clock.set(new Date(DUE + SETTINGS.paymentBoundMs + SECOND))
    await reconcileOrder(w.ports, ID, 41, draft)
    expect(w.jobs.scheduled).toHaveLength(jobs + 1)

    w.gateway.script('retrieve', 'unknown')
    await reconcileOrder(w.ports, ID, 42, draft)
    expect(w.jobs.scheduled).toHaveLength(jobs + 2)
    expect(w.orders.orders.size).toBe(0)
  })

  it('money found after the checkout was given up: the order is written cancelled and the money given back, once', async () => {
    const { w, draft } = await unwritten()
    w.clock.set(new Date(DUE + SECOND))
    await reconcileOrder(w.ports, ID, 1, draft)

    w.gateway.land(charge, 'captured')
    w.clock.advance(10 * MINUTE)
    await reconcileOrder(w.ports, ID, 2, draft)
    await reconcileOrder(w.ports, ID, 3, draft)

    expectGivenBack(w)
    expect(w.orders.statuses(ID)).toEqual(['pending_payment', 'cancelled'])
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system' })
    expect(w.stock.settled('lst_a', ID)).toBe('released')
  })

  it('an authorization found after the checkout was given up ends with the money back and nothing in escrow', async () => {
    const { w, draft } = await unwritten()
    w.clock.set(new Date(DUE + SECOND))
    await reconcileOrder(w.ports, ID, 1, draft)

    w.gateway.land(charge, 'authorized')
    await reconcileOrder(w.ports, ID, 2, draft)

    expect(w.orders.only().status).toBe('cancelled')
    expect(w.gateway.charges.get(ID)).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(w.gateway.charges.get(ID)?.captures).toBeLessThanOrEqual(1)
    expect(w.orders.payments.get(ID)).toMatchObject({ status: 'refunded' })
    expect(w.orders.escrow()).toBe(0)
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 0, reservations: [] })
  })

  it('a job with a draft whose order was written meanwhile reconciles the order as it stands', async () => {
    const { w, draft } = await pendingOrder('lost')
    await reconcileOrder(w.ports, ID, 1, draft)
    expectPaidAndSold(w)
    expect(w.trace.filter((t) => t.startsWith('orders.recordCheckout'))).toEqual([`orders.recordCheckout ${ID} pending_payment`])
  })
})

describe('reconcileOrder: an order still waiting', () => {
  it('finds the charge captured (the answer was lost): pays the order once without capturing again', async () => {
    const { w } = await pendingOrder('lost')
    await reconcileOrder(w.ports, ID, 1)
    expect(w.gateway.calls.map((c) => c.method)).toEqual(['charge', 'retrieve'])
    expectPaidAndSold(w)

    await reconcileOrder(w.ports, ID, 2)
    expect(w.gateway.calls.map((c) => c.method)).toEqual(['charge', 'retrieve'])
    expectPaidAndSold(w)
  })

  it('finds an authorization: captures it once under the capture key, and the order is paid with its stock sold', async () => {
    const { w } = await pendingOrder()
    const held = w.gateway.land(charge, 'authorized')
    await reconcileOrder(w.ports, ID, 1)
    expect(w.gateway.callsOf('capture')).toEqual([{ method: 'capture', key: `${ID}:capture`, paymentId: held.paymentId, amount: money(2_500, 'USD') }])
    expectPaidAndSold(w)
  })

  it('looks again when the authorization it found could not be captured yet, and captures once later', async () => {
    const { w } = await pendingOrder()
    w.gateway.land(charge, 'authorized')
    w.gateway.script('capture', 'unknown')
    await reconcileOrder(w.ports, ID, 1)
    expect(w.orders.only().status).toBe('pending_payment')
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 2, delaySeconds: 60 })
    expect(w.stock.reservations()).toHaveLength(1)

    await reconcileOrder(w.ports, ID, 2)
    expectPaidAndSold(w)
  })

  it('finds the charge declined: cancels the order, gives its stock back, asks no more', async () => {
    const { w } = await pendingOrder()
    w.gateway.land(charge, 'declined')
    const jobs = w.jobs.scheduled.length
    await reconcileOrder(w.ports, ID, 1)
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system', reason: 'payment_declined' })
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ID)).toBe('released')
    expect(w.orders.ledger).toEqual([])
    expect(w.jobs.scheduled).toHaveLength(jobs)
  })

  it('looks again later, before the order is due, while the provider knows of no charge, never later than due', async () => {
    const { w } = await pendingOrder()
    await reconcileOrder(w.ports, ID, 1)
    expect(w.orders.only().status).toBe('pending_payment')
    // reconcileDelaySeconds · 2^attempt, at most 120 s; no draft once the order exists.
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 2, delaySeconds: 60 })
    await reconcileOrder(w.ports, ID, 5)
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 6, delaySeconds: 120 })
    w.clock.set(new Date(DUE - 10 * SECOND))
    await reconcileOrder(w.ports, ID, 3)
    expect(lastJob(w)).toEqual({ kind: 'reconcile', orderId: ID, attempt: 4, delaySeconds: 10 })
    expect(w.stock.reservations()).toHaveLength(1)
  })

  it('looks again when the provider cannot answer, leaving the order waiting', async () => {
    const { w } = await pendingOrder()
    w.gateway.script('retrieve', 'unknown')
    await reconcileOrder(w.ports, ID, 1)
    expect(w.orders.only().status).toBe('pending_payment')
    expect(lastJob(w)).toMatchObject({ attempt: 2 })
    expect(w.stock.reservations()).toHaveLength(1)
  })
})

describe('reconcileOrder: an order past its due time', () => {
  async function timedOut() {
    const r = await pendingOrder()
    r.w.clock.set(new Date(DUE + SECOND))
    await reconcileOrder(r.w.ports, ID, 1)
    return r
  }

  it('cancels an order the provider knows nothing of, releases its stock, and keeps looking', async () => {
    const { w } = await timedOut()
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system', reason: 'payment_timeout' })
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ID)).toBe('released')
    expect(w.orders.ledger).toEqual([])
    expect(lastJob(w)).toMatchObject({ orderId: ID, attempt: 2 })
  })

  it('gives back a captured charge that a later look finds, once, and the books show it came and went', async () => {
    const { w } = await timedOut()
    w.gateway.land(charge, 'captured')
    w.clock.advance(10 * MINUTE)
    await reconcileOrder(w.ports, ID, 2)
    // Another delivery of the job: the money is already on its way back.
    await reconcileOrder(w.ports, ID, 3)
    expectGivenBack(w)
  })

  it('voids a late authorization without booking anything', async () => {
    const { w } = await timedOut()
    w.gateway.land(charge, 'authorized')
    await reconcileOrder(w.ports, ID, 2)
    expect(w.gateway.callsOf('capture')).toEqual([])
    expect(w.gateway.charges.get(ID)).toMatchObject({ status: 'refunded', captures: 0, refunds: 1 })
    expect(w.orders.payments.get(ID)).toMatchObject({ status: 'refunded', captured: false })
    expect(w.orders.ledger).toEqual([])
    expect(w.orders.escrow()).toBe(0)
  })

  it('stops scheduling looks once paymentBoundMs has passed and the provider knows of no charge', async () => {
    const { w } = await timedOut()
    const jobs = w.jobs.scheduled.length
    w.clock.set(new Date(DUE + SETTINGS.paymentBoundMs + SECOND))
    await reconcileOrder(w.ports, ID, 9)
    expect(w.jobs.scheduled).toHaveLength(jobs)
    expect(w.orders.only().status).toBe('cancelled')
  })

  it('past the bound, still gives back a capture it finds', async () => {
    const { w } = await timedOut()
    w.gateway.land(charge, 'captured')
    w.clock.set(new Date(DUE + SETTINGS.paymentBoundMs + SECOND))
    await reconcileOrder(w.ports, ID, 9)
    expectGivenBack(w)
  })

  it('past the bound, keeps asking while the provider cannot say, and says so in the log', async () => {
    const { w } = await timedOut()
    const jobs = w.jobs.scheduled.length
    w.clock.set(new Date(DUE + SETTINGS.paymentBoundMs + SECOND))
    w.gateway.script('retrieve', 'unknown')
    await reconcileOrder(w.ports, ID, 9)
    expect(w.jobs.scheduled).toHaveLength(jobs + 1)
    expect(w.logs.filter((l) => l.level === 'error' && l.msg === 'payment_state_unknown_past_bound')).toHaveLength(1)
  })

  it('a webhook (attempt 0) days after the bound still finds the money and gives it back, without scheduling more looks', async () => {
    const { w } = await timedOut()
    const jobs = w.jobs.scheduled.length
    w.gateway.land(charge, 'authorized')
    w.clock.set(new Date(DUE + 3 * DAY))
    await reconcileOrder(w.ports, ID, 0)
    expect(w.orders.payments.get(ID)).toMatchObject({ captured: false, status: 'refunded' })
    expect(w.gateway.charges.get(ID)).toMatchObject({ status: 'refunded', captures: 0 })
    expect(w.jobs.scheduled).toHaveLength(jobs)
  })
})

describe('reconcileOrder: nothing to do', () => {
  it('leaves a paid order alone, without asking the provider', async () => {
    const { w } = await checkedOut('succeeded')
    const calls = w.gateway.calls.length
    await reconcileOrder(w.ports, ID, 1, w.jobs.of('reconcile')[0]?.draft)
    expect(w.gateway.calls).toHaveLength(calls)
    expectPaidAndSold(w)
  })

  it('ignores an unknown order without a draft (the job that carries it will come)', async () => {
    const w = fakeOrderWorld()
    await reconcileOrder(w.ports, 'ord_missing', 1)
    expect(w.gateway.calls).toEqual([])
    expect(w.jobs.scheduled).toEqual([])
    expect(w.orders.abandoned.size).toBe(0)
  })

  it('an auction win nobody checked out: asks nobody, and cancels it once due', async () => {
    const w = fakeOrderWorld()
    w.orders.put(orderRecord({ id: 'ord_x', source: 'auction', paymentMethod: null }))
    await reconcileOrder(w.ports, 'ord_x', 1)
    expect(w.orders.only().status).toBe('pending_payment')

    w.clock.set(new Date(DUE + SECOND))
    await reconcileOrder(w.ports, 'ord_x', 1)
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', reason: 'payment_timeout' })
    expect(w.gateway.calls).toEqual([])
    expect(w.jobs.scheduled).toEqual([])
  })
})
