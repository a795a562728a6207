import { describe, expect, it } from 'vitest'
import { money } from '../../../src/core/money'
import { runCheckout, type CheckoutRequest, type CheckoutResult } from '../../../src/checkout/checkout-saga'
import { reconcileOrder } from '../../../src/checkout/payment-reconciliation'
import type { OrderRecord } from '../../../src/orders/order-view'
import { fakeOrderWorld, fixedListing, SECOND, SETTINGS, type FakeWorld } from '../../support/fake-order-ports'

const BUYER = 'usr_buyer'
const SELLER = 'usr_seller'

function world(...listings: Parameters<typeof fixedListing>[0][]): FakeWorld {
  const w = fakeOrderWorld()
  w.stock.add(...listings.map(fixedListing))
  return w
}

const request = (o: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  buyerId: BUYER,
  key: 'idem-1',
  items: [{ listingId: 'lst_a', quantity: 1 }],
  paymentMethod: 'pm_card_visa',
  shippingAddress: { line1: '1 Main St', city: 'Springfield', country: 'US' },
  steppedUp: false,
  ...o,
})

function orderOf(r: CheckoutResult): OrderRecord {
  if (r.kind !== 'rejected') return r.order
  if ('order' in r.rejection) return r.rejection.order
  throw new Error(`expected an order, got the rejection ${JSON.stringify(r.rejection)}`)
}

/** What a reservation-free world looks like: nothing held on any listing. */
const expectNothingHeld = (w: FakeWorld) => expect(w.stock.reservations()).toEqual([])

describe('runCheckout: the happy path', () => {
  it('pays the order: one authorization, one capture, the capture in the ledger, the stock sold', async () => {
    const w = world({ id: 'lst_a', price: 2_500, quantity: 3 })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 2 }] }))

    expect(r.kind).toBe('paid')
    const order = w.orders.only()
    expect(orderOf(r).id).toBe(order.id)
    expect(order).toMatchObject({ status: 'paid', buyerId: BUYER, sellerId: SELLER, total: 5_000, currency: 'USD', version: 2 })
    expect(order.items).toEqual([{ listingId: 'lst_a', quantity: 2, unitPrice: 2_500 }])
    expect(w.orders.statuses(order.id)).toEqual(['pending_payment', 'paid'])

    expect(w.gateway.callsOf('authorize')).toEqual([{ method: 'authorize', key: order.id, paymentId: null, amount: money(5_000, 'USD') }])
    expect(w.gateway.callsOf('capture')).toHaveLength(1)
    const charge = w.gateway.charges.get(order.id)
    expect(charge).toMatchObject({ status: 'captured', captures: 1, refunds: 0 })
    expect(w.orders.payments.get(order.id)).toMatchObject({ providerRef: charge?.paymentId, amount: 5_000, status: 'captured', captured: true })

    expect(w.orders.ledgerKinds(order.id)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(5_000)

    const listing = w.stock.state('lst_a')
    expect(listing.sold).toBe(2)
    expect(listing.reservations).toEqual([])
    expect(w.stock.settled('lst_a', order.id)).toBe('committed')
    expect(w.risk.asked).toEqual([{ buyerId: BUYER, total: money(5_000, 'USD'), lineCount: 1 }])
  })

  it('holds the stock until the hold time and reserves at the quoted price', async () => {
    const w = world({ id: 'lst_a', price: 2_500 })
    w.gateway.script('authorize', 'unknown')
    await runCheckout(w.ports, request())
    const order = w.orders.only()
    expect(order.paymentDueAt).toBe(new Date(w.clock.now().getTime() + SETTINGS.holdMs).toISOString())
    expect(w.stock.state('lst_a').reservations).toEqual([
      { id: order.id, holderId: BUYER, quantity: 1, unitPrice: 2_500, expiresAt: order.paymentDueAt, source: 'checkout', orderBound: true },
    ])
  })

  it('reserves several lines of one seller in listing-id order and commits them all', async () => {
    const w = world({ id: 'lst_b', price: 1_000 }, { id: 'lst_a', price: 500, quantity: 2 })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_b', quantity: 1 }, { listingId: 'lst_a', quantity: 2 }] }))
    expect(r.kind).toBe('paid')
    expect(w.orders.only().total).toBe(2_000)
    expect(w.stock.calls.filter((c) => c.method === 'reserve').map((c) => c.listingId)).toEqual(['lst_a', 'lst_b'])
    expect([w.stock.state('lst_a').sold, w.stock.state('lst_b').sold]).toEqual([2, 1])
  })
})

describe('runCheckout: a declined payment', () => {
  it('answers payment_declined with the code, cancels the order and gives the stock back', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.declineCode = 'insufficient_funds'
    w.gateway.script('authorize', 'declined')
    const r = await runCheckout(w.ports, request())

    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'payment_declined', declineCode: 'insufficient_funds', order: { status: 'cancelled' } } })
    const order = w.orders.only()
    expect(order.status).toBe('cancelled')
    expect(w.orders.history.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system', reason: 'payment_declined' })
    expectNothingHeld(w)
    expect(w.stock.state('lst_a').sold).toBe(0)
    expect(w.stock.settled('lst_a', order.id)).toBe('released')
    expect(w.gateway.callsOf('capture')).toEqual([])
    expect(w.orders.ledger).toEqual([])
  })
})

describe('runCheckout: an unknown outcome', () => {
  it('answers pending, having scheduled reconciliation before asking for the money', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('authorize', 'lost')
    const r = await runCheckout(w.ports, request())

    expect(r.kind).toBe('pending')
    const order = w.orders.only()
    expect(orderOf(r)).toMatchObject({ id: order.id, status: 'pending_payment' })
    expect(w.jobs.of('reconcile')).toEqual([{ kind: 'reconcile', orderId: order.id, attempt: 1, delaySeconds: SETTINGS.reconcileDelaySeconds }])
    const scheduled = w.trace.indexOf(`jobs.reconcile ${order.id}`)
    const authorized = w.trace.indexOf(`gateway.authorize ${order.id}`)
    expect(scheduled).toBeGreaterThanOrEqual(0)
    expect(scheduled).toBeLessThan(authorized)
    expect(w.stock.state('lst_a').reservations.map((x) => x.id)).toEqual([order.id])
  })

  it('is paid by reconciliation, which finds the authorization and captures it exactly once', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('authorize', 'lost')
    await runCheckout(w.ports, request())
    const { id } = w.orders.only()

    await reconcileOrder(w.ports, id, 1)
    // The queue delivers at least once: a second delivery changes nothing.
    await reconcileOrder(w.ports, id, 1)

    expect(w.orders.only().status).toBe('paid')
    expect(w.gateway.callsOf('capture')).toHaveLength(1)
    expect(w.gateway.charges.get(id)).toMatchObject({ status: 'captured', captures: 1 })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)
    expectNothingHeld(w)
  })

  it('leaves the order and its hold waiting when the provider cannot be asked at all', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('authorize', 'unavailable')
    const r = await runCheckout(w.ports, request())
    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'payments_unavailable', order: { status: 'pending_payment' } } })
    expect(w.stock.state('lst_a').reservations).toHaveLength(1)
  })
})

describe('runCheckout: the same checkout key twice', () => {
  it('run one after the other, answers the same paid order without charging again', async () => {
    const w = world({ id: 'lst_a', quantity: 5 })
    const first = await runCheckout(w.ports, request())
    const second = await runCheckout(w.ports, request())

    expect(first.kind).toBe('paid')
    expect(second.kind).toBe('paid')
    expect(orderOf(second).id).toBe(orderOf(first).id)
    expect(w.orders.orders.size).toBe(1)
    expect(w.gateway.callsOf('authorize')).toHaveLength(1)
    expect(w.gateway.callsOf('capture')).toHaveLength(1)
    expect(w.orders.ledgerKinds(orderOf(first).id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)
  })

  it('run at the same time, makes one order, captures at most once and sells the units once', async () => {
    const w = world({ id: 'lst_a', quantity: 5 })
    const [a, b] = await Promise.all([runCheckout(w.ports, request()), runCheckout(w.ports, request())])

    // Both really ran side by side: neither found the other's order by its key, both tried to create one.
    expect(w.trace.filter((t) => t.startsWith('orders.create'))).toHaveLength(2)
    expect(w.orders.orders.size).toBe(1)
    const { id } = w.orders.only()
    expect([a.kind, b.kind]).toEqual(['paid', 'paid'])
    expect([orderOf(a).id, orderOf(b).id]).toEqual([id, id])
    expect(w.gateway.charges.size).toBe(1)
    expect(w.gateway.charges.get(id)?.captures).toBe(1)
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.orders.moves.filter((m) => m.action === 'pay' && m.result === 'moved')).toHaveLength(1)
    expect(w.stock.state('lst_a').sold).toBe(1)
    expectNothingHeld(w)
  })

  it('run after a decline, answers the cancelled order and charges nothing more', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('authorize', 'declined')
    await runCheckout(w.ports, request())
    const again = await runCheckout(w.ports, request())
    expect(again).toMatchObject({ kind: 'rejected', rejection: { code: 'checkout_cancelled', order: { status: 'cancelled' } } })
    expect(w.gateway.callsOf('authorize')).toHaveLength(1)
    expectNothingHeld(w)
  })
})

describe('runCheckout: refusals that leave nothing behind', () => {
  it('refuses items from several sellers', async () => {
    const w = world({ id: 'lst_a', sellerId: 'usr_s1' }, { id: 'lst_b', sellerId: 'usr_s2' })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'multiple_sellers', reason: expect.any(String) } })
    expectNothingHeld(w)
    expect(w.orders.orders.size).toBe(0)
    expect(w.gateway.calls).toEqual([])
  })

  it('refuses the same listing on two lines (it would be reserved once and charged twice)', async () => {
    const w = world({ id: 'lst_a', quantity: 5 })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_a', quantity: 1 }] }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'invalid_checkout', reason: 'each listing at most once' } })
    expectNothingHeld(w)
    expect(w.orders.orders.size).toBe(0)
    expect(w.gateway.calls).toEqual([])
  })

  it('refuses items priced in different currencies', async () => {
    const w = world({ id: 'lst_a', currency: 'USD' }, { id: 'lst_b', currency: 'EUR' })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'currency_mismatch', reason: expect.any(String) } })
    expectNothingHeld(w)
    expect(w.orders.orders.size).toBe(0)
  })

  it('refuses the seller buying their own listing', async () => {
    const w = world({ id: 'lst_a', sellerId: BUYER })
    const r = await runCheckout(w.ports, request())
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'own_listing', listingId: 'lst_a' } })
    expectNothingHeld(w)
    expect(w.orders.orders.size).toBe(0)
  })

  it('refuses a listing that does not exist', async () => {
    const w = world({ id: 'lst_a' })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_missing', quantity: 1 }] }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'not_found', listingId: 'lst_missing' } })
    expect(w.orders.orders.size).toBe(0)
  })

  it('refuses a sold-out listing before making an order', async () => {
    const w = world({ id: 'lst_a' })
    await runCheckout(w.ports, request({ buyerId: 'usr_first', key: 'other' }))
    const r = await runCheckout(w.ports, request())
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'sold_out', listingId: 'lst_a', available: 0 } })
    expect(w.orders.orders.size).toBe(1)
    expectNothingHeld(w)
  })

  it('when a later line is sold out at reservation, cancels the order and releases the lines already held', async () => {
    const w = world({ id: 'lst_a', quantity: 2 }, { id: 'lst_b' })
    // Another buyer holds the one unit of lst_b, their payment still unknown.
    w.gateway.script('authorize', 'unknown')
    await runCheckout(w.ports, request({ buyerId: 'usr_other', key: 'other', items: [{ listingId: 'lst_b', quantity: 1 }] }))
    const theirs = w.orders.only().id

    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_b', quantity: 1 }, { listingId: 'lst_a', quantity: 1 }] }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'sold_out', listingId: 'lst_b', available: 0 } })
    const mine = [...w.orders.orders.values()].find((o) => o.buyerId === BUYER)
    expect(mine?.status).toBe('cancelled')
    expect(w.stock.reservations()).toEqual([{ listingId: 'lst_b', id: theirs, quantity: 1 }])
    expect(w.stock.settled('lst_a', mine?.id ?? '')).toBe('released')
    expect(w.gateway.callsOf('authorize')).toHaveLength(1)
  })

  it('refuses an order whose total money cannot hold', async () => {
    const w = world({ id: 'lst_a', price: 600_000_000, quantity: 2 })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 2 }] }))
    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'invalid_checkout' } })
    expectNothingHeld(w)
  })
})

describe('runCheckout: risk', () => {
  it('refuses a blocked checkout with the reasons, before any order or hold', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = { verdict: 'block', reasons: ['checkout_velocity: 9 checkouts in 10 minutes'] }
    const r = await runCheckout(w.ports, request({ steppedUp: true }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'risk_blocked', reasons: ['checkout_velocity: 9 checkouts in 10 minutes'] } })
    expect(w.orders.orders.size).toBe(0)
    expectNothingHeld(w)
    expect(w.gateway.calls).toEqual([])
  })

  it('asks for a second factor when challenged and the caller has not stepped up', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = { verdict: 'challenge', reasons: ['checkout_velocity: 3 checkouts in 10 minutes'] }
    const r = await runCheckout(w.ports, request())
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'mfa_required', reasons: ['checkout_velocity: 3 checkouts in 10 minutes'] } })
    expect(w.orders.orders.size).toBe(0)
    expectNothingHeld(w)
  })

  it('treats a review verdict like a challenge', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = { verdict: 'review', reasons: ['new account'] }
    expect(await runCheckout(w.ports, request())).toMatchObject({ kind: 'rejected', rejection: { code: 'mfa_required' } })
  })

  it('proceeds when challenged and the caller has stepped up', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = { verdict: 'challenge', reasons: ['checkout_velocity: 3 checkouts in 10 minutes'] }
    const r = await runCheckout(w.ports, request({ steppedUp: true }))
    expect(r.kind).toBe('paid')
  })
})

describe('runCheckout: deadlines and unreachable listings before payment', () => {
  it('never gives the order longer than holdMs, even next to an accepted offer with a day left', async () => {
    const now = new Date('2030-03-01T12:00:00.000Z')
    const a = fixedListing({ id: 'lst_a', price: 2_500 })
    const offerHold = { id: 'ofr_1', holderId: BUYER, quantity: 1, unitPrice: 2_000, expiresAt: new Date(now.getTime() + 24 * 3_600_000).toISOString(), source: 'offer' as const, orderBound: false }
    const w = fakeOrderWorld()
    w.stock.add({ ...a, reservations: [offerHold] }, fixedListing({ id: 'lst_b', price: 1_000, quantity: 3 }))
    w.clock.set(now)
    w.gateway.script('authorize', 'unknown')
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 3 }] }))
    expect(r.kind).toBe('pending')
    const order = w.orders.only()
    expect(order.total).toBe(2_000 + 3 * 1_000)
    expect(order.paymentDueAt).toBe(new Date(now.getTime() + SETTINGS.holdMs).toISOString())
    expect(w.stock.state('lst_b').reservations.map((x) => x.expiresAt)).toEqual([order.paymentDueAt])
  })

  it('leaves a timer behind when a listing cannot be reached while reserving, so the order does not wait on cron', async () => {
    const w = world({ id: 'lst_a' })
    w.stock.failNext('reserve')
    await expect(runCheckout(w.ports, request())).rejects.toThrow(/unreachable/)
    const order = w.orders.only()
    expect(order.status).toBe('pending_payment')
    expect(w.jobs.of('reconcile').map((j) => j.orderId)).toEqual([order.id])
    expect(w.gateway.calls).toEqual([])
  })
})

describe('runCheckout: a listing that cannot be reached after payment', () => {
  it('leaves the order paid when committing the stock throws, and the lapsed reservation is then committed', async () => {
    const w = world({ id: 'lst_a' })
    w.stock.failNext('commit')
    const r = await runCheckout(w.ports, request())

    expect(r.kind).toBe('paid')
    const { id } = w.orders.only()
    expect(w.orders.only().status).toBe('paid')
    expect(w.stock.state('lst_a').reservations.map((x) => x.id)).toEqual([id])
    expect(w.logs.some((l) => l.msg === 'stock_step_deferred')).toBe(true)

    w.clock.advance(SETTINGS.holdMs + SECOND)
    await w.lapse()
    expect(w.orders.only().status).toBe('paid')
    expect(w.stock.state('lst_a').sold).toBe(1)
    expectNothingHeld(w)
    expect(w.stock.settled('lst_a', id)).toBe('committed')
  })
})

describe('runCheckout: a hold that lapses while the money moves', () => {
  it('during the capture: the order is cancelled, the captured money goes back, the books show it came and went', async () => {
    const w = world({ id: 'lst_a', price: 2_500 })
    w.gateway.during = async (call) => {
      if (call.method !== 'capture') return
      w.clock.advance(SETTINGS.holdMs + SECOND)
      await w.lapse()
    }
    const r = await runCheckout(w.ports, request())

    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'checkout_cancelled', order: { status: 'cancelled' } } })
    const { id } = w.orders.only()
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.orders.history.at(-1)).toMatchObject({ status: 'cancelled', reason: 'hold_expired' })
    const charge = w.gateway.charges.get(id)
    expect(w.gateway.callsOf('refund')).toEqual([{ method: 'refund', key: `${id}:refund`, paymentId: charge?.paymentId, amount: money(2_500, 'USD') }])
    expect(charge).toMatchObject({ status: 'refunded', captures: 1, refunds: 1 })
    expect(w.orders.payments.get(id)).toMatchObject({ status: 'refunded', captured: true, providerRef: charge?.paymentId })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
    expectNothingHeld(w)
    expect(w.stock.state('lst_a').sold).toBe(0)
  })

  it('during the authorization: the order is cancelled and the authorization voided, with nothing in the books', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.during = async (call) => {
      if (call.method !== 'authorize') return
      w.clock.advance(SETTINGS.holdMs + SECOND)
      await w.lapse()
    }
    const r = await runCheckout(w.ports, request())

    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'checkout_cancelled' } })
    const { id } = w.orders.only()
    expect(w.gateway.callsOf('capture')).toEqual([])
    expect(w.gateway.charges.get(id)).toMatchObject({ status: 'refunded', captures: 0, refunds: 1 })
    expect(w.orders.payments.get(id)).toMatchObject({ status: 'refunded', captured: false })
    expect(w.orders.ledger).toEqual([])
    expectNothingHeld(w)
  })
})

describe('runCheckout: retries and races around an unknown outcome', () => {
  it('a retry with the same key after an unknown outcome pays the same order, charging once', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('authorize', 'lost')
    expect((await runCheckout(w.ports, request())).kind).toBe('pending')
    const again = await runCheckout(w.ports, request())

    expect(again.kind).toBe('paid')
    const { id } = w.orders.only()
    expect(w.gateway.callsOf('authorize')).toHaveLength(2)
    expect(w.gateway.charges.size).toBe(1)
    expect(w.gateway.charges.get(id)?.captures).toBe(1)
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)
  })

  it('a retry with the same key after the provider was unavailable pays the same order', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('authorize', 'unavailable')
    await runCheckout(w.ports, request())
    const again = await runCheckout(w.ports, request())
    expect(again.kind).toBe('paid')
    expect(w.orders.orders.size).toBe(1)
    expect(w.stock.state('lst_a').sold).toBe(1)
  })

  it('reconciliation finishing the order while the saga still waits on the provider: paid once, captured once', async () => {
    const w = world({ id: 'lst_a' })
    let reconciled = false
    w.gateway.during = async (call) => {
      if (call.method !== 'authorize' || reconciled) return
      reconciled = true
      await reconcileOrder(w.ports, call.key, 1)
    }
    const r = await runCheckout(w.ports, request())

    expect(r.kind).toBe('paid')
    const { id } = w.orders.only()
    expect(w.orders.statuses(id)).toEqual(['pending_payment', 'paid'])
    expect(w.gateway.charges.get(id)?.captures).toBe(1)
    expect(w.orders.ledgerKinds(id)).toEqual(['capture'])
    expect(w.stock.state('lst_a').sold).toBe(1)
    expectNothingHeld(w)
  })

  it('a hold that lapses during a capture whose answer is lost: the order is cancelled and reconciliation gives the money back', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('capture', 'lost')
    w.gateway.during = async (call) => {
      if (call.method !== 'capture') return
      w.clock.advance(SETTINGS.holdMs + SECOND)
      await w.lapse()
    }
    await runCheckout(w.ports, request())
    const { id } = w.orders.only()
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.gateway.charges.get(id)).toMatchObject({ status: 'captured', captures: 1 })

    w.gateway.during = null
    await reconcileOrder(w.ports, id, 1)
    expect(w.gateway.charges.get(id)).toMatchObject({ status: 'refunded', refunds: 1 })
    expect(w.orders.payments.get(id)).toMatchObject({ status: 'refunded', captured: true })
    expect(w.orders.ledgerKinds(id)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
    expectNothingHeld(w)
  })
})
