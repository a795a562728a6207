import { describe, expect, it } from 'vitest'
import { money } from '../../../src/core/money'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import { accounts, platformFee } from '../../../src/ledger/ledger'
import {
  acceptOrder,
  applyTrackingEvent,
  autoCompleteOrder,
  cancelOrder,
  NOT_RECEIVED,
  openDispute,
  resolveDispute,
  shipOrder,
} from '../../../src/orders/order-commands'
import { recordChargedCheckout, recordCapture, refundDue } from '../../../src/orders/order-payment'
import { reconcileOrder } from '../../../src/orders/payment-reconciliation'
import { reservationFate } from '../../../src/orders/reservation-fate'
import { DAY, fakeOrderWorld, fakeSealAddress, fixedListing, HOUR, orderRecord, SECOND, SETTINGS, type Answer, type FakeWorld } from '../../support/fake-order-ports'

const BUYER = 'usr_buyer'
const SELLER = 'usr_seller'
const TOTAL = 2_500
const TRACKING = 'TRK-1'

const ORDER = 'ord_usr_buyer_idem-1'

/** Checks out one unit of lst_a (a three-unit listing) with the provider answering `charge`. */
async function checkout(charge: Answer) {
  const w = fakeOrderWorld()
  w.stock.add(fixedListing({ id: 'lst_a', price: TOTAL, quantity: 3 }))
  w.gateway.script('charge', charge)
  const r = await runCheckout(w.ports, {
    buyerId: BUYER,
    key: 'idem-1',
    orderId: ORDER,
    items: [{ listingId: 'lst_a', quantity: 1 }],
    paymentMethod: 'pm_card_visa',
    sealAddress: fakeSealAddress({ line1: '1 Main St' }),
    steppedUp: false,
    shippingCountry: null,
    origin: { ip: null, device: null, country: null },
  credentialHash: null,
  })
  return { w, r }
}

/** A world with one order for one unit of a three-unit listing, taken through checkout; paid unless `charge` says otherwise. */
async function checkedOut(charge: 'succeeded' | 'unknown' | 'lost' = 'succeeded'): Promise<{ w: FakeWorld; id: string }> {
  const { w } = await checkout(charge)
  return { w, id: w.orders.only().id }
}

async function shipped(carrier = 'sandbox') {
  const { w, id } = await checkedOut()
  const r = await shipOrder(w.ports, id, { carrier, trackingNumber: TRACKING })
  if (!r.ok) throw new Error(`ship refused: ${JSON.stringify(r.refusal)}`)
  return { w, id }
}

async function delivered() {
  const { w, id } = await shipped()
  await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'delivered', occurredAt: w.clock.now().toISOString() })
  return { w, id }
}

const status = (w: FakeWorld) => w.orders.only().status

describe('cancelOrder', () => {
  it('of a paid order by the seller: refund in the ledger, the money sent back, the units back on the listing', async () => {
    const { w, id } = await checkedOut()
    expect(w.stock.state('lst_a').sold).toBe(1)
    const r = await cancelOrder(w.ports, id, 'seller')

    expect(r).toMatchObject({ ok: true, from: 'paid', order: { status: 'cancelled', version: 3 } })
    expect(status(w)).toBe('cancelled')
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', actor: 'seller', reason: 'cancelled_by_seller' })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
    const charge = w.gateway.charges.get(id)
    expect(w.gateway.callsOf('refund')).toEqual([{ method: 'refund', key: `${id}:refund`, paymentId: charge?.paymentId, amount: money(TOTAL, 'USD') }])
    expect(charge).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(w.orders.payments.get(id)?.status).toBe('refunded')
    expect(w.stock.state('lst_a').sold).toBe(0)
    expect(w.stock.settled('lst_a', id)).toBe('restocked')
  })

  it('a second time changes nothing: refused as invalid, no second refund, no second restock', async () => {
    const { w, id } = await checkedOut()
    await cancelOrder(w.ports, id, 'staff')
    expect(await cancelOrder(w.ports, id, 'staff')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'cancelled' } })
    expect(w.gateway.callsOf('refund')).toHaveLength(1)
    expect(w.stock.state('lst_a').sold).toBe(0)
  })

  it('leaves the refund to the jobs queue when the provider gives no answer, and it completes later', async () => {
    const { w, id } = await checkedOut()
    w.gateway.script('refund', 'unknown')
    await cancelOrder(w.ports, id, 'seller')
    expect(w.orders.payments.get(id)?.status).toBe('refund_pending')
    const [job] = w.jobs.of('refund')
    expect(job).toMatchObject({ orderId: id, attempt: 1 })
    expect(job?.delaySeconds).toBeGreaterThanOrEqual(5)

    await refundDue(w.ports, id, 1)
    expect(w.orders.payments.get(id)?.status).toBe('refunded')
    await refundDue(w.ports, id, 2)
    expect(w.gateway.charges.get(id)?.refunds).toBe(1)
    expect(w.gateway.callsOf('refund')).toHaveLength(2)
  })

  it('refuses the buyer cancelling once paid, changing nothing', async () => {
    const { w, id } = await checkedOut()
    expect(await cancelOrder(w.ports, id, 'buyer')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'paid' } })
    expect(status(w)).toBe('paid')
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.gateway.callsOf('refund')).toEqual([])
  })

  it('of an unpaid order by the buyer: cancelled, the hold released, no money moved', async () => {
    const { w, id } = await checkedOut('unknown')
    const r = await cancelOrder(w.ports, id, 'buyer')
    expect(r).toMatchObject({ ok: true, from: 'pending_payment' })
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', id)).toBe('released')
    expect(w.orders.ledger).toEqual([])
    expect(w.gateway.callsOf('refund')).toEqual([])
  })

  it('refuses cancelling a shipped order, naming its status', async () => {
    const { w, id } = await shipped()
    expect(await cancelOrder(w.ports, id, 'seller')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'shipped' } })
    expect(w.stock.state('lst_a').sold).toBe(1)
  })

  it('answers not_found for an order that does not exist', async () => {
    const w = fakeOrderWorld()
    expect(await cancelOrder(w.ports, 'ord_missing', 'staff')).toEqual({ ok: false, refusal: { code: 'not_found' } })
  })
})

describe('shipOrder', () => {
  it('with the sandbox carrier: shipped with its tracking number, and the sandbox carrier moves it on', async () => {
    const { w, id } = await checkedOut()
    const r = await shipOrder(w.ports, id, { carrier: 'sandbox', trackingNumber: TRACKING })
    expect(r).toMatchObject({ ok: true, from: 'paid', order: { status: 'shipped', carrier: 'sandbox', trackingNumber: TRACKING } })
    expect(w.orders.only()).toMatchObject({ status: 'shipped', carrier: 'sandbox', trackingNumber: TRACKING })
    expect(w.jobs.of('sandbox_carrier')).toEqual([{ kind: 'sandbox_carrier', orderId: id, trackingNumber: TRACKING, step: 'in_transit' }])
  })

  it('with a real carrier: shipped, and nothing scheduled', async () => {
    const { w, id } = await checkedOut()
    expect((await shipOrder(w.ports, id, { carrier: 'ups', trackingNumber: TRACKING })).ok).toBe(true)
    expect(w.jobs.of('sandbox_carrier')).toEqual([])
  })

  it('refuses an unpaid order and schedules nothing', async () => {
    const { w, id } = await checkedOut('unknown')
    expect(await shipOrder(w.ports, id, { carrier: 'sandbox', trackingNumber: TRACKING })).toEqual({
      ok: false,
      refusal: { code: 'invalid_transition', status: 'pending_payment' },
    })
    expect(w.jobs.of('sandbox_carrier')).toEqual([])
    expect(w.orders.only().carrier).toBeNull()
  })
})

describe('applyTrackingEvent', () => {
  it('moves a shipped order in transit, then delivered, scheduling auto-completion from delivery', async () => {
    const { w, id } = await shipped()
    const deliveredAt = new Date(w.clock.now().getTime() - HOUR).toISOString()
    expect(await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'in_transit', occurredAt: deliveredAt })).toMatchObject({
      ok: true,
      order: { status: 'in_transit' },
    })
    const r = await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'delivered', occurredAt: deliveredAt })
    expect(r).toMatchObject({ ok: true, order: { status: 'delivered', deliveredAt } })
    expect(w.orders.only().deliveredAt).toBe(deliveredAt)
    expect(w.jobs.of('auto_complete')).toEqual([{ kind: 'auto_complete', orderId: id, dueAt: new Date(Date.parse(deliveredAt) + SETTINGS.autoCompleteMs).toISOString() }])
  })

  it('out of order, delivered then in_transit, ends delivered and schedules auto-completion once', async () => {
    const { w } = await shipped()
    const now = w.clock.now().toISOString()
    await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'delivered', occurredAt: now })
    const late = await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'in_transit', occurredAt: now })
    await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'delivered', occurredAt: now })

    expect(late).toMatchObject({ ok: true, order: { status: 'delivered' } })
    expect(status(w)).toBe('delivered')
    expect(w.jobs.of('auto_complete')).toHaveLength(1)
  })

  it('never records a delivery in the future, whatever the carrier’s clock says', async () => {
    const { w } = await shipped()
    await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'delivered', occurredAt: new Date(w.clock.now().getTime() + DAY).toISOString() })
    expect(w.orders.only().deliveredAt).toBe(w.clock.now().toISOString())
  })

  it('answers not_found for a shipment it does not know, or another carrier’s', async () => {
    const { w } = await shipped()
    const at = w.clock.now().toISOString()
    expect(await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: 'TRK-unknown', status: 'delivered', occurredAt: at })).toEqual({ ok: false, code: 'not_found' })
    expect(await applyTrackingEvent(w.ports, 'ups', { trackingNumber: TRACKING, status: 'delivered', occurredAt: at })).toEqual({ ok: false, code: 'not_found' })
    expect(status(w)).toBe('shipped')
  })

  it('logs an exception and leaves the order as it is', async () => {
    const { w } = await shipped()
    const r = await applyTrackingEvent(w.ports, 'sandbox', { trackingNumber: TRACKING, status: 'exception', occurredAt: w.clock.now().toISOString() })
    expect(r).toMatchObject({ ok: true, order: { status: 'shipped' } })
    expect(w.logs.filter((l) => l.msg === 'shipment_exception')).toHaveLength(1)
  })
})

describe('autoCompleteOrder', () => {
  it('before its due time, only schedules itself again for the same moment', async () => {
    const { w, id } = await delivered()
    const [job] = w.jobs.of('auto_complete')
    const dueAt = job?.dueAt ?? ''
    w.clock.set(new Date(Date.parse(dueAt) - SECOND))
    await autoCompleteOrder(w.ports, id, dueAt)
    expect(status(w)).toBe('delivered')
    expect(w.jobs.of('auto_complete').map((j) => j.dueAt)).toEqual([dueAt, dueAt])
  })

  it('once due, completes the order and settles escrow to the seller less the platform fee', async () => {
    const { w, id } = await delivered()
    const dueAt = w.jobs.of('auto_complete')[0]?.dueAt ?? ''
    w.clock.set(dueAt)
    await autoCompleteOrder(w.ports, id, dueAt)

    expect(status(w)).toBe('completed')
    expect(w.orders.historyRows.at(-1)).toMatchObject({ action: 'auto_complete', actor: 'system' })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'settle'])
    expect(w.orders.escrow()).toBe(0)
    const fee = platformFee(TOTAL, SETTINGS.platformFeeBps)
    expect(fee).toBe(250)
    expect(w.orders.balance(accounts.seller(SELLER), 'USD')).toBe(TOTAL - fee)
    expect(w.orders.balance(accounts.platformFees, 'USD')).toBe(fee)
  })

  it('does nothing, quietly, to an order that was disputed or already completed', async () => {
    const { w, id } = await delivered()
    await openDispute(w.ports, id, 'not as described')
    const dueAt = w.clock.now().toISOString()
    await autoCompleteOrder(w.ports, id, dueAt)
    expect(status(w)).toBe('disputed')
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.logs.filter((l) => l.msg === 'auto_complete_refused')).toEqual([])
  })
})

describe('acceptOrder', () => {
  it('completes a delivered order and settles it', async () => {
    const { w, id } = await delivered()
    expect(await acceptOrder(w.ports, id)).toMatchObject({ ok: true, from: 'delivered', order: { status: 'completed' } })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'settle'])
    expect(w.orders.escrow()).toBe(0)
  })

  it('refuses a paid order that has not been delivered', async () => {
    const { w, id } = await checkedOut()
    expect(await acceptOrder(w.ports, id)).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'paid' } })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
  })
})

describe('disputes', () => {
  it('opening one keeps the money in escrow and records the reason', async () => {
    const { w, id } = await delivered()
    expect(await openDispute(w.ports, id, 'not as described')).toMatchObject({ ok: true, order: { status: 'disputed' } })
    expect(w.orders.disputes.get(id)).toEqual({ reason: 'not as described', outcome: null })
    expect(w.orders.escrow()).toBe(TOTAL)
  })

  it('resolved as a refund: refunded, the refund in the ledger, the money sent back', async () => {
    const { w, id } = await delivered()
    await openDispute(w.ports, id, 'broken')
    const r = await resolveDispute(w.ports, id, 'refund')
    expect(r).toMatchObject({ ok: true, from: 'disputed', order: { status: 'refunded' } })
    expect(w.orders.disputes.get(id)?.outcome).toBe('refund')
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
    expect(w.gateway.callsOf('refund')).toHaveLength(1)
    expect(w.orders.payments.get(id)?.status).toBe('refunded')
    expect(w.orders.balance(accounts.seller(SELLER), 'USD')).toBe(0)
  })

  it('resolved as a release: completed, escrow settled to the seller, nothing refunded', async () => {
    const { w, id } = await delivered()
    await openDispute(w.ports, id, 'broken')
    const r = await resolveDispute(w.ports, id, 'release')
    expect(r).toMatchObject({ ok: true, from: 'disputed', order: { status: 'completed' } })
    expect(w.orders.disputes.get(id)?.outcome).toBe('release')
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'settle'])
    expect(w.orders.escrow()).toBe(0)
    expect(w.gateway.callsOf('refund')).toEqual([])
    expect(w.orders.balance(accounts.seller(SELLER), 'USD')).toBe(TOTAL - platformFee(TOTAL, SETTINGS.platformFeeBps))
  })

  it('not received: from the end of the delivery window after shipping, not a millisecond before, shipped or in transit', async () => {
    for (const inTransit of [false, true]) {
      const { w, id } = await shipped('ups')
      if (inTransit) await applyTrackingEvent(w.ports, 'ups', { trackingNumber: TRACKING, status: 'in_transit', occurredAt: w.clock.now().toISOString() })
      const opensAt = new Date(w.clock.now().getTime() + SETTINGS.deliveryWindowMs).toISOString()
      w.clock.advance(SETTINGS.deliveryWindowMs - 1)
      expect(await openDispute(w.ports, id, NOT_RECEIVED)).toEqual({ ok: false, refusal: { code: 'delivery_window_open', opensAt } })
      expect(status(w)).toBe(inTransit ? 'in_transit' : 'shipped')
      w.clock.advance(1)
      expect(await openDispute(w.ports, id, NOT_RECEIVED)).toMatchObject({ ok: true, from: inTransit ? 'in_transit' : 'shipped', order: { status: 'disputed' } })
      expect(w.orders.disputes.get(id)).toEqual({ reason: NOT_RECEIVED, outcome: null })
      expect(w.orders.escrow()).toBe(TOTAL)
    }
  })

  it('not received on a delivered order is an ordinary dispute; any other reason waits for delivery', async () => {
    const { w, id } = await delivered()
    expect(await openDispute(w.ports, id, NOT_RECEIVED)).toMatchObject({ ok: true, order: { status: 'disputed' } })
    const early = await shipped('ups')
    early.w.clock.advance(SETTINGS.deliveryWindowMs * 2)
    expect(await openDispute(early.w.ports, early.id, 'broken')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'shipped' } })
  })

  it('cannot be resolved when none is open', async () => {
    const { w, id } = await delivered()
    expect(await resolveDispute(w.ports, id, 'refund')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'delivered' } })
    expect(w.gateway.callsOf('refund')).toEqual([])
  })
})

describe('reservationFate (a lapsing hold asks its order’s fate)', () => {
  it('cancels an unpaid order (hold_expired, by the system) and answers release', async () => {
    const { w, id } = await checkedOut('unknown')
    expect(await reservationFate(w.ports, id, 'lst_a')).toBe('release')
    expect(w.orders.only()).toMatchObject({ status: 'cancelled', version: 2 })
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', action: 'cancel', actor: 'system', reason: 'hold_expired' })
    expect(w.orders.abandoned.has(id)).toBe(false)
    expect(w.orders.ledger).toEqual([])
  })

  it('through the listing’s alarm: the unpaid order is cancelled and its unit released, and money found later goes back', async () => {
    const { w, id } = await checkedOut('lost')
    w.clock.advance(SETTINGS.holdMs + SECOND)
    await w.lapse()
    expect(status(w)).toBe('cancelled')
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 0, reservations: [] })
    expect(w.stock.settled('lst_a', id)).toBe('released')

    // The charge had gone through: reconciliation finds it and gives it back, the order stays cancelled.
    await reconcileOrder(w.ports, id, 1)
    expect(status(w)).toBe('cancelled')
    expect(w.gateway.charges.get(id)).toMatchObject({ captures: 1, refunds: 1, status: 'refunded' })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
  })

  it('answers commit for a paid order, leaving it paid and not given up', async () => {
    const { w, id } = await checkedOut()
    const before = w.orders.only()
    expect(await reservationFate(w.ports, id, 'lst_a')).toBe('commit')
    expect(w.orders.only()).toEqual(before)
    expect(w.orders.abandoned.has(id)).toBe(false)
    expect(w.orders.statuses(id)).toEqual(['pending_payment', 'paid'])
  })

  it('answers commit for an order paid past checkout (shipped), changing nothing', async () => {
    const { w, id } = await shipped()
    expect(await reservationFate(w.ports, id, 'lst_a')).toBe('commit')
    expect(status(w)).toBe('shipped')
  })

  it('answers commit when payment wins the race with the cancel: the order stays paid', async () => {
    const { w, id } = await checkedOut('lost')
    // The payment lands while the fate is being asked: the fate's cancel must lose to it.
    const abandon = w.orders.abandon.bind(w.orders)
    w.orders.abandon = async (orderId, reason, at) => {
      const stale = await abandon(orderId, reason, at)
      await reconcileOrder(w.ports, orderId, 1)
      return stale
    }
    expect(await reservationFate(w.ports, id, 'lst_a')).toBe('commit')
    expect(w.orders.only()).toMatchObject({ status: 'paid', version: 2 })
    expect(w.orders.moves.filter((m) => m.action === 'cancel')).toEqual([])
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
  })

  it('answers release for a cancelled order, writing nothing', async () => {
    const w = fakeOrderWorld()
    w.orders.put(orderRecord({ id: 'ord_c', status: 'cancelled', version: 2 }))
    expect(await reservationFate(w.ports, 'ord_c', 'lst_a')).toBe('release')
    expect(w.orders.only()).toMatchObject({ status: 'cancelled', version: 2 })
    expect(w.orders.historyRows).toEqual([])
    expect(w.orders.abandoned.size).toBe(0)
  })

  it('answers release for no order at all, and gives the checkout up so a charge still in flight can never record it paid', async () => {
    // The provider could not be asked: the hold is kept, nothing is written, the job carries the draft.
    const { w, r } = await checkout('unavailable')
    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'payments_unavailable' } })
    const draft = w.jobs.of('reconcile')[0]?.draft
    if (!draft) throw new Error('no draft')

    expect(await reservationFate(w.ports, ORDER, 'lst_a')).toBe('release')
    expect(w.orders.abandoned.has(ORDER)).toBe(true)
    expect(w.orders.orders.size).toBe(0)

    // A try of this checkout whose charge then succeeds is given up: the order is written
    // cancelled and the money goes back, never paid.
    const money = w.gateway.land({ key: ORDER, amount: { amount: TOTAL, currency: 'USD' } }, 'captured')
    const written = await recordChargedCheckout(w.ports, draft, money.paymentId)
    expect(written).toMatchObject({ recorded: false, result: { kind: 'cancelled' } })
    expect(w.orders.only()).toMatchObject({ id: ORDER, status: 'cancelled' })
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', reason: 'hold_expired' })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)

    // And the answer stays release, now that the cancelled order exists.
    expect(await reservationFate(w.ports, ORDER, 'lst_a')).toBe('release')
  })

  it('a paid record after the checkout was given up answers abandoned and writes nothing', async () => {
    const { w } = await checkout('unavailable')
    const draft = w.jobs.of('reconcile')[0]?.draft
    if (!draft) throw new Error('no draft')
    await reservationFate(w.ports, ORDER, 'lst_a')
    const late = await w.orders.recordCheckout(draft, { status: 'paid', provider: 'fake', providerRef: 'pi_late' }, w.clock.now().toISOString())
    expect(late.result).toBe('abandoned')
    expect(w.orders.orders.size).toBe(0)
    expect(w.orders.payments.size).toBe(0)
    expect(w.orders.ledger).toEqual([])
  })

  it('the lapse of a paid order’s hold through the alarm commits it (the commit after payment had failed)', async () => {
    const w = fakeOrderWorld()
    w.stock.add(fixedListing({ id: 'lst_a', price: TOTAL }))
    w.stock.failNext('commit')
    await runCheckout(w.ports, { buyerId: BUYER, key: 'idem-1', orderId: ORDER, items: [{ listingId: 'lst_a', quantity: 1 }], paymentMethod: 'pm_card_visa', sealAddress: fakeSealAddress({}), steppedUp: false, credentialHash: null, shippingCountry: null, origin: { ip: null, device: null, country: null } })
    expect(w.stock.reservations()).toHaveLength(1)
    w.clock.advance(SETTINGS.holdMs + SECOND)
    await w.lapse()
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
    expect(w.stock.settled('lst_a', ORDER)).toBe('committed')
    expect(status(w)).toBe('paid')
  })
})

describe('recordCapture on an order already paid', () => {
  it('follows the order: no second pay, no second capture in the books', async () => {
    const { w, id } = await checkedOut()
    const order = w.orders.only()
    const r = await recordCapture(w.ports, order, w.gateway.charges.get(id)?.paymentId ?? '')
    expect(r).toMatchObject({ kind: 'paid', order: { status: 'paid' } })
    expect(w.orders.moves.filter((m) => m.action === 'pay' && m.result === 'moved')).toEqual([])
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)
  })
})
