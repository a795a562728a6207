import { describe, expect, it } from 'vitest'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import { approveHeldOrder, rejectHeldOrder } from '../../../src/orders/order-review'
import { reconcileOrder } from '../../../src/orders/payment-reconciliation'
import { fakeOrderWorld, fakeSealAddress, fixedListing, type FakeWorld } from '../../support/fake-order-ports'

/**
 * Staff deciding an order held for review: approve captures the authorization once and pays the
 * order with its ledger capture; reject voids it, cancels the order and puts the units back; a
 * second decision, or one racing the first, changes nothing.
 */
const BUYER = 'usr_buyer'
const ORDER = 'ord_held'

/** The authorization the review recorded with the order. */
const ref = (w: FakeWorld) => w.orders.reviews.get(ORDER)?.providerRef ?? null

async function held(): Promise<FakeWorld> {
  const w = fakeOrderWorld()
  w.stock.add(fixedListing({ id: 'lst_a', price: 4_000, quantity: 2 }))
  w.risk.assessment = { verdict: 'review', hits: [{ rule: 'shared_card', reason: 'one card, many buyers' }], score: 70 }
  const r = await runCheckout(w.ports, {
    buyerId: BUYER,
    key: 'k',
    orderId: ORDER,
    items: [{ listingId: 'lst_a', quantity: 1 }],
    paymentMethod: 'pm_card_visa',
    sealAddress: fakeSealAddress({ line1: '1 Main St' }),
    steppedUp: false,
    credentialHash: null,
    shippingCountry: 'US',
    origin: { ip: null, device: null, country: null },
  })
  expect(r).toMatchObject({ kind: 'pending', order: { status: 'pending_review' } })
  return w
}

describe('approveHeldOrder', () => {
  it('captures the authorization once, then pays the order with the ledger’s capture', async () => {
    const w = await held()
    const outcome = await approveHeldOrder(w.ports, ORDER, ref(w))
    expect(outcome).toMatchObject({ kind: 'decided', order: { status: 'paid' } })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'captured', captures: 1 })
    expect(w.orders.statuses(ORDER)).toEqual(['pending_payment', 'pending_review', 'paid'])
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(4_000)
    expect(w.orders.payments.get(ORDER)).toMatchObject({ status: 'captured', captured: true, amount: 4_000 })
  })

  it('changes nothing the second time, nor when three staff approve at once', async () => {
    const w = await held()
    const together = await Promise.all([approveHeldOrder(w.ports, ORDER, ref(w)), approveHeldOrder(w.ports, ORDER, ref(w)), approveHeldOrder(w.ports, ORDER, ref(w))])
    expect(together.filter((o) => o.kind === 'decided')).toHaveLength(1)
    expect(together.filter((o) => o.kind === 'not_held')).toEqual([{ kind: 'not_held', status: 'paid', since: expect.any(String) }, { kind: 'not_held', status: 'paid', since: expect.any(String) }])
    expect(await approveHeldOrder(w.ports, ORDER, ref(w))).toEqual({ kind: 'not_held', status: 'paid', since: expect.any(String) })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ captures: 1 })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
  })

  it('leaves the order held when the provider cannot answer, and finishes on the next try', async () => {
    const w = await held()
    w.gateway.script('capture', 'unknown')
    expect(await approveHeldOrder(w.ports, ORDER, ref(w))).toEqual({ kind: 'unavailable' })
    expect(w.orders.only().status).toBe('pending_review')
    expect(w.orders.ledgerKinds(ORDER)).toEqual([])
    expect(await approveHeldOrder(w.ports, ORDER, ref(w))).toMatchObject({ kind: 'decided', order: { status: 'paid' } })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ captures: 1 })
  })

  it('cancels the order and puts the unit back when the authorization can no longer be captured', async () => {
    const w = await held()
    w.gateway.script('capture', 'declined')
    expect(await approveHeldOrder(w.ports, ORDER, ref(w))).toMatchObject({ kind: 'authorization_lost', order: { status: 'cancelled' } })
    expect(w.stock.state('lst_a').sold).toBe(0)
    expect(w.orders.ledgerKinds(ORDER)).toEqual([])
  })
})

describe('rejectHeldOrder', () => {
  it('cancels the order, voids the authorization (no money ever moved) and puts the unit back', async () => {
    const w = await held()
    expect(w.stock.state('lst_a').sold).toBe(1)
    expect(await rejectHeldOrder(w.ports, ORDER, ref(w))).toMatchObject({ kind: 'decided', order: { status: 'cancelled' } })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'refunded', captures: 0 })
    expect(w.stock.state('lst_a').sold).toBe(0)
    expect(w.orders.escrow()).toBe(0)
    expect(await rejectHeldOrder(w.ports, ORDER, ref(w))).toEqual({ kind: 'not_held', status: 'cancelled', since: expect.any(String) })
    expect(await approveHeldOrder(w.ports, ORDER, ref(w))).toEqual({ kind: 'not_held', status: 'cancelled', since: expect.any(String) })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ captures: 0 })
  })
})

describe('reconciliation and a held order', () => {
  it('never captures an order held for review, however often it runs', async () => {
    const w = await held()
    for (let attempt = 1; attempt <= 3; attempt++) await reconcileOrder(w.ports, ORDER, attempt)
    expect(w.orders.only().status).toBe('pending_review')
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'authorized', captures: 0 })
  })

  it('writes a held checkout whose worker died before recording it as pending_review, from the draft the job carries', async () => {
    const w = await held()
    const [job] = w.jobs.of('reconcile')
    const draft = (job as { draft?: Parameters<typeof reconcileOrder>[3] }).draft
    expect(draft?.review).toMatchObject({ score: 70 })
    // A world where the same authorization exists but the order was never written.
    const fresh = fakeOrderWorld()
    fresh.stock.add(fixedListing({ id: 'lst_a', price: 4_000, quantity: 2 }))
    fresh.gateway.charges.set(ORDER, { ...(w.gateway.charges.get(ORDER) as NonNullable<ReturnType<typeof w.gateway.charges.get>>) })
    await reconcileOrder(fresh.ports, ORDER, 1, draft)
    expect(fresh.orders.only()).toMatchObject({ id: ORDER, status: 'pending_review' })
    expect(fresh.orders.reviews.get(ORDER)).toMatchObject({ reasons: ['shared_card: one card, many buyers'] })
    expect(fresh.gateway.charges.get(ORDER)).toMatchObject({ status: 'authorized', captures: 0 })
  })
})
