import { describe, expect, it } from 'vitest'
import { money } from '../../../src/core/money'
import type { CheckoutRequest, CheckoutResult } from '../../../src/checkout/checkout-context'
import { runCheckout } from '../../../src/checkout/checkout-saga'
import type { Reservation } from '../../../src/listings/listing-state'
import type { OrderDraft } from '../../../src/orders/order-draft'
import type { CheckoutRecord } from '../../../src/orders/order-ports'
import { reconcileOrder } from '../../../src/orders/payment-reconciliation'
import { DAY, fakeOrderWorld, fakeSealAddress, fixedListing, MINUTE, orderRecord, SECOND, SETTINGS, T0, type FakeWorld } from '../../support/fake-order-ports'

const BUYER = 'usr_buyer'
const SELLER = 'usr_seller'
const ADDRESS = { line1: '1 Main St', city: 'Springfield', country: 'US' }

/** The route derives the order id from (buyer, Idempotency-Key); any stable function of the two will do here. */
const orderIdOf = (buyerId: string, key: string): string => `ord_${buyerId}_${key}`
const ORDER = orderIdOf(BUYER, 'idem-1')

function world(...listings: Parameters<typeof fixedListing>[0][]): FakeWorld {
  const w = fakeOrderWorld()
  w.stock.add(...listings.map(fixedListing))
  return w
}

const request = (o: Partial<Omit<CheckoutRequest, 'orderId' | 'credentialHash'>> & { credentialHash?: string | null } = {}): CheckoutRequest => {
  const buyerId = o.buyerId ?? BUYER
  const key = o.key ?? 'idem-1'
  return {
    buyerId,
    key,
    orderId: orderIdOf(buyerId, key),
    items: [{ listingId: 'lst_a', quantity: 1 }],
    paymentMethod: 'pm_card_visa',
    sealAddress: fakeSealAddress(ADDRESS),
    steppedUp: false,
    shippingCountry: null,
    origin: { ip: null, device: null, country: null },
    credentialHash: 'token-hash',
    ...o,
  }
}

/** The draft the checkout's reconciliation job carries. */
function jobDraft(w: FakeWorld, orderId: string): OrderDraft {
  const draft = w.jobs.of('reconcile').find((j) => j.orderId === orderId)?.draft
  if (!draft) throw new Error(`no reconciliation job with a draft for ${orderId}`)
  return draft
}

const paidOrder = (r: CheckoutResult) => {
  if (r.kind !== 'paid') throw new Error(`expected a paid checkout, got ${JSON.stringify(r)}`)
  return r.order
}

/** Calls the saga made to the order book for this order. */
const bookCalls = (w: FakeWorld, orderId: string) => w.trace.filter((t) => t.startsWith('orders.') && t.split(' ')[1] === orderId)

/** ARCHITECTURE.md "The laws": a checkout that loses writes nothing to the order book (D1). */
function expectNothingWritten(w: FakeWorld, orderId: string): void {
  expect(bookCalls(w, orderId)).toEqual([])
  expect(w.orders.orders.has(orderId)).toBe(false)
  expect(w.orders.payments.has(orderId)).toBe(false)
  expect(w.orders.historyRows.filter((h) => h.orderId === orderId)).toEqual([])
  expect(w.orders.ledger.filter((t) => t.orderId === orderId)).toEqual([])
  expect(w.orders.abandoned.has(orderId)).toBe(false)
}

/** Law 1 on every listing: sold + reserved ≤ quantity. */
function expectNoOversell(w: FakeWorld, ...listingIds: string[]): void {
  for (const id of listingIds) {
    const s = w.stock.state(id)
    expect(s.sold + s.reservations.reduce((n, r) => n + r.quantity, 0)).toBeLessThanOrEqual(s.quantity)
  }
}

const heldBy = (w: FakeWorld, orderId: string) => w.stock.reservations().filter((r) => r.id === orderId)

describe('runCheckout: a paid checkout', () => {
  it('each line held in listing-id order, then risk on the held amount, the watchdog with the draft, one charge under the order id, the order written once, then each line sold', async () => {
    const w = world({ id: 'lst_b', price: 1_000 }, { id: 'lst_a', price: 500, quantity: 3 })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_b', quantity: 1 }, { listingId: 'lst_a', quantity: 2 }] }))

    expect(w.trace.slice(0, 6)).toEqual([
      `stock.reserve lst_a ${ORDER}`,
      `stock.reserve lst_b ${ORDER}`,
      `risk.assessCheckout ${ORDER}`,
      `jobs.reconcile ${ORDER}`,
      `gateway.charge ${ORDER}`,
      `orders.recordCheckout ${ORDER} paid`,
    ])
    expect(w.trace.slice(6).sort()).toEqual([`stock.commit lst_a ${ORDER}`, `stock.commit lst_b ${ORDER}`])

    // Per line one reserve and one commit, nothing else asked of the listings (no quote).
    expect(w.stock.calls.map((c) => `${c.method} ${c.listingId}`).sort()).toEqual(['commit lst_a', 'commit lst_b', 'reserve lst_a', 'reserve lst_b'])
    // One charge that captures at once: no separate capture, no retrieve.
    expect(w.gateway.calls).toEqual([{ method: 'charge', key: ORDER, paymentId: null, amount: money(2_000, 'USD') }])
    const charge = w.gateway.charges.get(ORDER)
    expect(charge).toMatchObject({ status: 'captured', captures: 1, refunds: 0, amount: money(2_000, 'USD') })

    const order = w.orders.only()
    expect(order).toMatchObject({
      id: ORDER,
      status: 'paid',
      version: 2,
      buyerId: BUYER,
      sellerId: SELLER,
      currency: 'USD',
      total: 2_000,
      checkoutKey: 'idem-1',
      paymentMethod: 'pm_card_visa',
      // Sealed for this order: the saga never holds the address in the clear.
      shippingAddress: await fakeSealAddress(ADDRESS)(ORDER),
      source: 'checkout',
      createdAt: T0.toISOString(),
      paymentDueAt: new Date(T0.getTime() + SETTINGS.holdMs).toISOString(),
    })
    expect(order.items).toEqual([
      { listingId: 'lst_a', quantity: 2, unitPrice: 500 },
      { listingId: 'lst_b', quantity: 1, unitPrice: 1_000 },
    ])
    expect(w.orders.statuses(ORDER)).toEqual(['pending_payment', 'paid'])
    expect(w.orders.payments.get(ORDER)).toMatchObject({ provider: 'fake', providerRef: charge?.paymentId, amount: 2_000, currency: 'USD', status: 'captured', captured: true })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(2_000)

    expect(r).toEqual({ kind: 'paid', order, history: [expect.objectContaining({ status: 'pending_payment', at: T0.toISOString() }), expect.objectContaining({ status: 'paid', at: T0.toISOString() })] })
    expect([w.stock.state('lst_a').sold, w.stock.state('lst_b').sold]).toEqual([2, 1])
    expect(w.stock.reservations()).toEqual([])
    expect([w.stock.settled('lst_a', ORDER), w.stock.settled('lst_b', ORDER)]).toEqual(['committed', 'committed'])
    expect(w.risk.asked).toEqual([
      { buyerId: BUYER, orderId: ORDER, credentialHash: 'token-hash', amount: 2_000, paymentMethod: 'pm_card_visa', shippingCountry: null, origin: { ip: null, device: null, country: null }, steppedUp: false },
    ])
  })

  it('queues the reconciliation job with the order as it will be written, before any money moves', async () => {
    const w = world({ id: 'lst_a', price: 2_500 })
    await runCheckout(w.ports, request())
    expect(w.jobs.of('reconcile')).toEqual([
      {
        kind: 'reconcile',
        orderId: ORDER,
        attempt: 1,
        delaySeconds: SETTINGS.reconcileDelaySeconds,
        draft: {
          id: ORDER,
          buyerId: BUYER,
          sellerId: SELLER,
          currency: 'USD',
          total: 2_500,
          items: [{ listingId: 'lst_a', quantity: 1, unitPrice: 2_500 }],
          shippingAddress: await fakeSealAddress(ADDRESS)(ORDER),
          checkoutKey: 'idem-1',
          paymentMethod: 'pm_card_visa',
          paymentDueAt: new Date(T0.getTime() + SETTINGS.holdMs).toISOString(),
          createdAt: T0.toISOString(),
        },
      },
    ])
    expect(w.trace.indexOf(`jobs.reconcile ${ORDER}`)).toBeLessThan(w.trace.indexOf(`gateway.charge ${ORDER}`))
  })

  it('holds each line under the order id, at the listing’s price, for holdMs', async () => {
    const w = world({ id: 'lst_a', price: 2_500, quantity: 2 })
    w.gateway.script('charge', 'unknown')
    await runCheckout(w.ports, request())
    const expiresAt = new Date(T0.getTime() + SETTINGS.holdMs).toISOString()
    expect(w.stock.state('lst_a').reservations).toEqual([{ id: ORDER, holderId: BUYER, quantity: 1, unitPrice: 2_500, expiresAt, source: 'checkout', orderBound: true }])
    expect(w.orders.only().paymentDueAt).toBe(expiresAt)
  })
})

/** `held`: the listings this checkout newly held before it was refused, which it gives back. */
type Losing = { name: string; setup(): FakeWorld; req: CheckoutRequest; rejection: unknown; held: string[] }

const losing: Losing[] = [
  {
    name: 'a listing that does not exist',
    setup: () => world({ id: 'lst_a' }),
    req: request({ items: [{ listingId: 'lst_missing', quantity: 1 }] }),
    rejection: { code: 'not_found', listingId: 'lst_missing' },
    held: [],
  },
  {
    name: 'the seller buying their own listing',
    setup: () => world({ id: 'lst_a', sellerId: BUYER }),
    req: request(),
    rejection: { code: 'own_listing', listingId: 'lst_a' },
    held: [],
  },
  {
    name: 'more units than the listing has',
    setup: () => world({ id: 'lst_a', quantity: 2 }),
    req: request({ items: [{ listingId: 'lst_a', quantity: 3 }] }),
    rejection: { code: 'sold_out', listingId: 'lst_a', available: 2 },
    held: [],
  },
  {
    name: 'items from several sellers (the first line already held)',
    setup: () => world({ id: 'lst_a', sellerId: 'usr_s1' }, { id: 'lst_b', sellerId: 'usr_s2' }),
    req: request({ items: [{ listingId: 'lst_b', quantity: 1 }, { listingId: 'lst_a', quantity: 1 }] }),
    rejection: { code: 'multiple_sellers', reason: 'all items must come from one seller' },
    held: ['lst_a', 'lst_b'],
  },
  {
    name: 'items priced in different currencies',
    setup: () => world({ id: 'lst_a', currency: 'USD' }, { id: 'lst_b', currency: 'EUR' }),
    req: request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }),
    rejection: { code: 'currency_mismatch', reason: 'all items must be priced in one currency' },
    held: ['lst_a', 'lst_b'],
  },
  {
    name: 'a total that money cannot hold',
    setup: () => world({ id: 'lst_a', price: 600_000_000, quantity: 2 }),
    req: request({ items: [{ listingId: 'lst_a', quantity: 2 }] }),
    rejection: { code: 'invalid_checkout', reason: 'the total is out of range' },
    held: ['lst_a'],
  },
  {
    name: 'a total that overflows across lines',
    setup: () => world({ id: 'lst_a', price: 600_000_000 }, { id: 'lst_b', price: 600_000_000 }),
    req: request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }),
    rejection: { code: 'invalid_checkout', reason: 'the total is out of range' },
    held: ['lst_a', 'lst_b'],
  },
  {
    name: 'the same listing on two lines (held once, it would be charged twice)',
    setup: () => world({ id: 'lst_a', quantity: 5 }),
    req: request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_a', quantity: 1 }] }),
    rejection: { code: 'invalid_checkout', reason: 'each listing at most once' },
    held: [],
  },
  {
    name: 'a checkout the risk engine blocks, even stepped up',
    setup: () => {
      const w = world({ id: 'lst_a' })
      w.risk.assessment = { verdict: 'block', hits: [{ rule: 'velocity', reason: '30 checkouts in an hour' }], score: 10 }
      return w
    },
    req: request({ steppedUp: true }),
    rejection: { code: 'risk_blocked', reasons: ['velocity: 30 checkouts in an hour'] },
    held: ['lst_a'],
  },
  {
    name: 'a checkout whose credential was revoked since this isolate last asked',
    setup: () => {
      const w = world({ id: 'lst_a' })
      w.risk.refusal = 'unauthenticated'
      return w
    },
    req: request(),
    rejection: { code: 'unauthenticated' },
    held: ['lst_a'],
  },
  {
    name: 'a checkout by an account frozen since this isolate last asked',
    setup: () => {
      const w = world({ id: 'lst_a' })
      w.risk.refusal = 'account_frozen'
      return w
    },
    req: request(),
    rejection: { code: 'account_frozen' },
    held: ['lst_a'],
  },
]

describe('runCheckout: a losing checkout writes nothing and holds nothing', () => {
  it.each(losing)('refuses $name', async ({ setup, req, rejection, held }) => {
    const w = setup()
    const listings = [...w.stock.reservations()]
    const r = await runCheckout(w.ports, req)

    expect(r).toEqual({ kind: 'rejected', rejection })
    expectNothingWritten(w, req.orderId)
    expect(w.gateway.calls).toEqual([])
    expect(w.jobs.scheduled).toEqual([])
    expect(w.stock.reservations()).toEqual(listings)
    // What it held is released by order id (and settled so); a line that refused held nothing and is not asked again.
    expect(w.stock.calls.filter((c) => c.method === 'release').map((c) => c.listingId).sort()).toEqual(held)
    for (const listingId of held) expect(w.stock.settled(listingId, req.orderId)).toBe('released')
    for (const listingId of held) expect(w.stock.state(listingId).sold).toBe(0)
  })

  it('refuses a sold-out listing whose last unit another checkout holds, leaving that hold alone', async () => {
    const w = world({ id: 'lst_a', quantity: 2 }, { id: 'lst_b' })
    w.gateway.script('charge', 'unknown')
    await runCheckout(w.ports, request({ buyerId: 'usr_other', key: 'other', items: [{ listingId: 'lst_b', quantity: 1 }] }))
    const theirs = orderIdOf('usr_other', 'other')
    expect(w.orders.only()).toMatchObject({ id: theirs, status: 'pending_payment' })

    // lst_a is held first (listing-id order), then lst_b refuses: lst_a goes back.
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_b', quantity: 1 }, { listingId: 'lst_a', quantity: 1 }] }))

    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'sold_out', listingId: 'lst_b', available: 0 } })
    expect(w.stock.calls.filter((c) => c.id === ORDER).map((c) => `${c.method} ${c.listingId}`)).toEqual(['reserve lst_a', 'reserve lst_b', 'release lst_a'])
    expect(w.stock.reservations()).toEqual([{ listingId: 'lst_b', id: theirs, quantity: 1 }])
    expect(w.stock.settled('lst_a', ORDER)).toBe('released')
    expect(w.stock.state('lst_a').reservations).toEqual([])
    expectNothingWritten(w, ORDER)
    expect(w.orders.orders.size).toBe(1)
    expect(w.gateway.callsOf('charge').map((c) => c.key)).toEqual([theirs])
    expect(w.jobs.of('reconcile').map((j) => j.orderId)).toEqual([theirs])
    expectNoOversell(w, 'lst_a', 'lst_b')
  })

  it('answers a challenge with 401 and keeps the holds, so the retry with the same key and a code goes on with them', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = { verdict: 'challenge', hits: [{ rule: 'velocity', reason: '10 checkouts in an hour' }], score: 0 }
    const challenged = await runCheckout(w.ports, request())
    expect(challenged).toEqual({ kind: 'rejected', rejection: { code: 'mfa_required', reasons: ['velocity: 10 checkouts in an hour'] } })
    expect(w.gateway.calls).toEqual([])
    expect(w.orders.orders.size).toBe(0)
    expect(heldBy(w, ORDER)).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
    const answered = await runCheckout(w.ports, request({ steppedUp: true }))
    expect(paidOrder(answered).id).toBe(ORDER)
    expect(w.stock.state('lst_a').sold).toBe(1)
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ captures: 1 })
  })

  it('proceeds when challenged and the caller has stepped up', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = { verdict: 'challenge', hits: [{ rule: 'velocity', reason: '10 checkouts in an hour' }], score: 0 }
    const r = await runCheckout(w.ports, request({ steppedUp: true }))
    expect(paidOrder(r).id).toBe(ORDER)
    expect(w.orders.only().status).toBe('paid')
    expect(w.stock.state('lst_a').sold).toBe(1)
  })
})

describe('runCheckout: a checkout the risk engine sends to review', () => {
  const review = { verdict: 'review' as const, hits: [{ rule: 'shared_card', reason: 'one card, many buyers' }], score: 70 }

  it('authorizes without capturing, writes the order pending_review with its review in the same write, sells the stock and answers pending', async () => {
    const w = world({ id: 'lst_a', price: 4_000 })
    w.risk.assessment = review
    const r = await runCheckout(w.ports, request())

    expect(w.gateway.callsOf('charge')).toHaveLength(1)
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'authorized', captures: 0 })
    const order = w.orders.only()
    expect(order.status).toBe('pending_review')
    expect(w.orders.statuses(ORDER)).toEqual(['pending_payment', 'pending_review'])
    const charge = w.gateway.charges.get(ORDER)
    expect(w.orders.reviews.get(ORDER)).toEqual({ reviewId: expect.stringMatching(/^rsk_/), reasons: ['shared_card: one card, many buyers'], score: 70, providerRef: charge?.paymentId })
    // Nobody deciding within six days rejects it, voiding that authorization before it lapses.
    expect(w.jobs.of('review_expiry')).toEqual([{ kind: 'review_expiry', orderId: ORDER, dueAt: new Date(T0.getTime() + 6 * DAY).toISOString(), paymentRef: charge?.paymentId }])
    // No money moved: no payment row, no ledger line, nothing in escrow.
    expect(w.orders.payments.get(ORDER)).toBeUndefined()
    expect(w.orders.ledgerKinds(ORDER)).toEqual([])
    expect(w.stock.state('lst_a').sold).toBe(1)
    expect(r).toMatchObject({ kind: 'pending', order: { id: ORDER, status: 'pending_review' } })
    // The reconciliation job carries the review, so a crash before the write still holds the order for review.
    expect(w.jobs.of('reconcile')[0]).toMatchObject({ draft: { review: { reasons: ['shared_card: one card, many buyers'], score: 70 } } })
  })

  it('answers a retry with the same key from the order as it stands: still pending, nothing charged again', async () => {
    const w = world({ id: 'lst_a' })
    w.risk.assessment = review
    await runCheckout(w.ports, request())
    const again = await runCheckout(w.ports, request())
    expect(again).toMatchObject({ kind: 'pending', order: { status: 'pending_review' } })
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'authorized', captures: 0 })
    expect(w.orders.orders.size).toBe(1)
  })

})

describe('runCheckout: a listing that cannot be reached while holding', () => {
  /** The listing lst_b cannot be reached: its reserve throws before anything happens there. */
  function lstBUnreachable(w: FakeWorld, times = 1): void {
    const reserve = w.stock.reserve.bind(w.stock)
    let left = times
    w.stock.reserve = (listingId, cmd) => {
      if (listingId === 'lst_b' && left-- > 0) return Promise.reject(new Error('listing unreachable (reserve)'))
      return reserve(listingId, cmd)
    }
  }
  const twoLines = () => request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] })

  it('throws and undoes nothing (not a definite refusal): the line held stays held, nothing is written or charged', async () => {
    const w = world({ id: 'lst_a' }, { id: 'lst_b' })
    lstBUnreachable(w)
    await expect(runCheckout(w.ports, twoLines())).rejects.toThrow(/unreachable/)

    expectNothingWritten(w, ORDER)
    expect(w.gateway.calls).toEqual([])
    expect(w.jobs.scheduled).toEqual([])
    expect(w.stock.calls.filter((c) => c.method === 'release')).toEqual([])
    expect(w.stock.reservations()).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
  })

  it('a retry with the same key goes on from there and pays, holding lst_a once', async () => {
    const w = world({ id: 'lst_a' }, { id: 'lst_b' })
    lstBUnreachable(w)
    await expect(runCheckout(w.ports, twoLines())).rejects.toThrow(/unreachable/)
    const r = await runCheckout(w.ports, twoLines())

    expect(paidOrder(r)).toEqual(w.orders.only())
    expect(w.orders.only()).toMatchObject({ status: 'paid', total: 5_000 })
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect([w.stock.state('lst_a').sold, w.stock.state('lst_b').sold]).toEqual([1, 1])
    expect(w.stock.reservations()).toEqual([])
  })

  it('never retried, the hold left behind lapses: the checkout is given up and the unit goes back (law 4)', async () => {
    const w = world({ id: 'lst_a' }, { id: 'lst_b' })
    lstBUnreachable(w)
    await expect(runCheckout(w.ports, twoLines())).rejects.toThrow(/unreachable/)
    w.clock.advance(SETTINGS.holdMs + SECOND)
    await w.lapse()

    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ORDER)).toBe('released')
    expect(w.orders.abandoned.has(ORDER)).toBe(true)
    expect(w.orders.orders.size).toBe(0)
    expect(w.stock.state('lst_a').sold).toBe(0)
  })
})

describe('runCheckout: a declined payment', () => {
  it('answers payment_declined with the order id and the code, releases every line, and writes nothing', async () => {
    const w = world({ id: 'lst_a', price: 2_500 }, { id: 'lst_b', price: 1_000 })
    w.gateway.declineCode = 'insufficient_funds'
    w.gateway.script('charge', 'declined')
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }))

    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'payment_declined', orderId: ORDER, declineCode: 'insufficient_funds' } })
    expectNothingWritten(w, ORDER)
    expect(w.gateway.calls).toEqual([{ method: 'charge', key: ORDER, paymentId: null, amount: money(3_500, 'USD') }])
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds', captures: 0 })
    expect(w.stock.reservations()).toEqual([])
    expect([w.stock.settled('lst_a', ORDER), w.stock.settled('lst_b', ORDER)]).toEqual(['released', 'released'])
    expect([w.stock.state('lst_a').sold, w.stock.state('lst_b').sold]).toEqual([0, 0])
    expect(w.orders.escrow()).toBe(0)
  })

  it('leaves a watchdog whose later run finds the decline and changes nothing (it releases again, idempotently)', async () => {
    const w = world({ id: 'lst_a', quantity: 2 })
    w.gateway.script('charge', 'declined')
    await runCheckout(w.ports, request())
    const draft = jobDraft(w, ORDER)
    const jobs = w.jobs.scheduled.length

    w.clock.advance(SETTINGS.reconcileDelaySeconds * SECOND)
    await reconcileOrder(w.ports, ORDER, 1, draft)
    await reconcileOrder(w.ports, ORDER, 1, draft)

    expectNothingWritten(w, ORDER)
    expect(w.gateway.calls.map((c) => c.method)).toEqual(['charge', 'retrieve', 'retrieve'])
    expect(w.jobs.scheduled).toHaveLength(jobs)
    expect(w.stock.calls.filter((c) => c.method === 'release')).toHaveLength(3)
    expect(w.stock.settled('lst_a', ORDER)).toBe('released')
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 0, reservations: [] })
  })
})

describe('runCheckout: an unknown outcome', () => {
  it.each(['unknown', 'lost'] as const)('(%s) writes the order pending_payment once, keeps the holds and answers pending', async (answer) => {
    const w = world({ id: 'lst_a', price: 2_500 })
    w.gateway.script('charge', answer)
    const r = await runCheckout(w.ports, request())

    const order = w.orders.only()
    expect(order).toMatchObject({ id: ORDER, status: 'pending_payment', version: 1, total: 2_500 })
    expect(r).toEqual({ kind: 'pending', order, history: [expect.objectContaining({ status: 'pending_payment' })] })
    expect(bookCalls(w, ORDER)).toEqual([`orders.recordCheckout ${ORDER} pending_payment`])
    expect(w.orders.payments.size).toBe(0)
    expect(w.orders.ledger).toEqual([])
    expect(heldBy(w, ORDER)).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
    expect(w.stock.calls.map((c) => c.method)).toEqual(['reserve'])
    expect(w.logs.filter((l) => l.msg === 'payment_outcome_unknown')).toHaveLength(1)
    // 'lost': the provider took the money though no answer came; 'unknown': nothing happened.
    expect(w.gateway.charges.get(ORDER)?.captures ?? 0).toBe(answer === 'lost' ? 1 : 0)
  })

  it('is paid by the reconciliation job (with its draft) once, without a second capture', async () => {
    const w = world({ id: 'lst_a', price: 2_500 })
    w.gateway.script('charge', 'lost')
    await runCheckout(w.ports, request())
    const draft = jobDraft(w, ORDER)

    await reconcileOrder(w.ports, ORDER, 1, draft)
    await reconcileOrder(w.ports, ORDER, 1, draft)

    const charge = w.gateway.charges.get(ORDER)
    expect(w.orders.only()).toMatchObject({ status: 'paid', version: 2 })
    expect(w.orders.statuses(ORDER)).toEqual(['pending_payment', 'paid'])
    expect(w.gateway.calls.map((c) => c.method)).toEqual(['charge', 'retrieve'])
    expect(charge).toMatchObject({ status: 'captured', captures: 1 })
    expect(w.orders.payments.get(ORDER)).toMatchObject({ providerRef: charge?.paymentId, status: 'captured', captured: true })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(2_500)
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
    expect(w.stock.settled('lst_a', ORDER)).toBe('committed')
  })

  it('is cancelled by the reconciliation job once due, when the provider never saw the charge, and its hold released', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('charge', 'unknown')
    await runCheckout(w.ports, request())
    const draft = jobDraft(w, ORDER)
    w.clock.advance(SETTINGS.holdMs + SECOND)

    await reconcileOrder(w.ports, ORDER, 1, draft)

    expect(w.orders.only()).toMatchObject({ status: 'cancelled' })
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system', reason: 'payment_timeout' })
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ORDER)).toBe('released')
    expect(w.orders.ledger).toEqual([])
    expect(w.gateway.callsOf('refund')).toEqual([])
    // Still asked about until paymentBoundMs, in case the money lands late.
    expect(w.jobs.of('reconcile').at(-1)).toMatchObject({ orderId: ORDER, attempt: 2 })
  })

  it('a retry while the outcome is still unknown answers the pending order from the book, writing nothing new', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('charge', 'unknown', 'unknown')
    await runCheckout(w.ports, request())
    const again = await runCheckout(w.ports, request())

    const order = w.orders.only()
    expect(again).toEqual({ kind: 'pending', order, history: [expect.objectContaining({ status: 'pending_payment' })] })
    expect(order).toMatchObject({ status: 'pending_payment', version: 1 })
    expect(w.orders.historyRows).toHaveLength(1)
    expect(w.orders.ledger).toEqual([])
    expect(heldBy(w, ORDER)).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
    expect(w.gateway.charges.size).toBe(0)
  })

  it('a retry with the same key pays the same order through the same charge', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('charge', 'unknown')
    expect((await runCheckout(w.ports, request())).kind).toBe('pending')
    const again = await runCheckout(w.ports, request())

    const order = w.orders.only()
    expect(paidOrder(again)).toEqual(order)
    expect(order).toMatchObject({ id: ORDER, status: 'paid', version: 2 })
    expect(w.gateway.callsOf('charge').map((c) => c.key)).toEqual([ORDER, ORDER])
    expect(w.gateway.charges.size).toBe(1)
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect(w.gateway.callsOf('capture')).toEqual([])
    expect(w.orders.moves.filter((m) => m.action === 'pay' && m.result === 'moved')).toHaveLength(1)
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  })
})

describe('runCheckout: the provider out of reach', () => {
  it('answers payments_unavailable, keeps the holds for a retry, and writes nothing', async () => {
    const w = world({ id: 'lst_a', quantity: 2 })
    w.gateway.script('charge', 'unavailable')
    const r = await runCheckout(w.ports, request())

    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'payments_unavailable', orderId: ORDER } })
    expectNothingWritten(w, ORDER)
    expect(w.gateway.charges.size).toBe(0)
    expect(heldBy(w, ORDER)).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
    expect(w.stock.calls.map((c) => c.method)).toEqual(['reserve'])
    expect(w.logs.filter((l) => l.level === 'warn' && l.msg === 'payments_unavailable')).toHaveLength(1)
  })

  it('a retry with the same request pays on the same hold, charging once', async () => {
    const w = world({ id: 'lst_a', quantity: 1 })
    w.gateway.script('charge', 'unavailable')
    await runCheckout(w.ports, request())
    w.clock.advance(MINUTE)
    const r = await runCheckout(w.ports, request())

    const order = w.orders.only()
    expect(paidOrder(r)).toEqual(order)
    expect(order).toMatchObject({ id: ORDER, status: 'paid' })
    // The hold taken by the first try is the order's: its deadline did not move.
    expect(order.paymentDueAt).toBe(new Date(T0.getTime() + SETTINGS.holdMs).toISOString())
    expect(bookCalls(w, ORDER)).toEqual([`orders.recordCheckout ${ORDER} paid`])
    expect(w.gateway.charges.size).toBe(1)
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  })
})

describe('runCheckout: the same key twice', () => {
  it('one after the other: the second answers the paid order from the book, charging nothing more', async () => {
    const w = world({ id: 'lst_a', quantity: 5 })
    const first = await runCheckout(w.ports, request())
    const second = await runCheckout(w.ports, request())

    const order = w.orders.only()
    expect(paidOrder(first)).toEqual(order)
    expect(second).toEqual({ kind: 'paid', order, history: [expect.objectContaining({ status: 'pending_payment' }), expect.objectContaining({ status: 'paid' })] })
    expect(w.gateway.callsOf('charge')).toHaveLength(1)
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect(bookCalls(w, ORDER)).toEqual([`orders.recordCheckout ${ORDER} paid`])
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  })

  it('at the same time: one order, one capture, the units sold once', async () => {
    const w = world({ id: 'lst_a', quantity: 5 })
    const [a, b] = await Promise.all([runCheckout(w.ports, request()), runCheckout(w.ports, request())])

    // Both really ran side by side: both charged (the second an idempotent replay) and both tried to write.
    expect(w.trace.filter((t) => t.startsWith('gateway.charge'))).toHaveLength(2)
    expect(w.trace.filter((t) => t.startsWith('orders.recordCheckout'))).toHaveLength(2)
    const order = w.orders.only()
    expect([paidOrder(a), paidOrder(b)]).toEqual([order, order])
    expect(w.gateway.charges.size).toBe(1)
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect(w.orders.payments.size).toBe(1)
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(order.total)
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  })

  it('fifty at the same time on one key: still one order, one capture, one unit sold', async () => {
    const w = world({ id: 'lst_a', quantity: 5 })
    const results = await Promise.all(Array.from({ length: 50 }, () => runCheckout(w.ports, request())))

    expect(new Set(results.map((r) => r.kind))).toEqual(new Set(['paid']))
    expect(w.orders.orders.size).toBe(1)
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(2_500)
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  })

  it('after a decline: answers checkout_cancelled, charges nothing again and writes nothing', async () => {
    const w = world({ id: 'lst_a' })
    w.gateway.script('charge', 'declined')
    await runCheckout(w.ports, request())
    const again = await runCheckout(w.ports, request())

    expect(again).toEqual({ kind: 'rejected', rejection: { code: 'checkout_cancelled', orderId: ORDER } })
    expect(w.gateway.callsOf('charge')).toHaveLength(1)
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'declined', captures: 0 })
    expectNothingWritten(w, ORDER)
    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.state('lst_a').sold).toBe(0)
  })
})

describe('runCheckout: many buyers, the last units (law 1)', () => {
  it('sells no more than the listing has; the losers write nothing and hold nothing', async () => {
    const w = world({ id: 'lst_a', quantity: 3 })
    const buyers = Array.from({ length: 12 }, (_, i) => `usr_b${i}`)
    const results = await Promise.all(buyers.map((buyerId) => runCheckout(w.ports, request({ buyerId }))))

    const paid = results.filter((r) => r.kind === 'paid')
    expect(paid).toHaveLength(3)
    expect(results.filter((r) => r.kind === 'rejected').map((r) => (r.kind === 'rejected' ? r.rejection.code : null))).toEqual(Array(9).fill('sold_out'))
    expect(w.orders.orders.size).toBe(3)
    expect([...w.orders.orders.values()].every((o) => o.status === 'paid')).toBe(true)
    expect(w.trace.filter((t) => t.startsWith('orders.'))).toHaveLength(3)
    expect(w.gateway.charges.size).toBe(3)
    expect(w.orders.escrow()).toBe(3 * 2_500)
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 3, reservations: [] })
  })
})

describe('runCheckout: a worker that dies after the charge and before the record', () => {
  /** The paid record fails once, as a worker dying between the charge and the D1 batch would leave it. */
  function crashOnPaidRecord(w: FakeWorld): void {
    const record = w.orders.recordCheckout.bind(w.orders)
    let crashed = false
    w.orders.recordCheckout = (draft: OrderDraft, rec: CheckoutRecord, at: string) => {
      if (rec.status === 'paid' && !crashed) {
        crashed = true
        return Promise.reject(new Error('worker died'))
      }
      return record(draft, rec, at)
    }
  }

  it('throws without undoing anything (past the pivot), and the job with the draft writes the order paid and sells the stock', async () => {
    const w = world({ id: 'lst_a', price: 2_500, quantity: 2 })
    crashOnPaidRecord(w)
    await expect(runCheckout(w.ports, request())).rejects.toThrow('worker died')

    expect(w.orders.orders.size).toBe(0)
    expect(heldBy(w, ORDER)).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
    expect(w.stock.calls.map((c) => c.method)).toEqual(['reserve'])
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'captured', captures: 1 })

    const draft = jobDraft(w, ORDER)
    w.clock.advance(SETTINGS.reconcileDelaySeconds * SECOND)
    await reconcileOrder(w.ports, ORDER, 1, draft)
    await reconcileOrder(w.ports, ORDER, 1, draft)

    const charge = w.gateway.charges.get(ORDER)
    expect(w.orders.only()).toMatchObject({ id: ORDER, status: 'paid', total: 2_500 })
    expect(w.orders.statuses(ORDER)).toEqual(['pending_payment', 'paid'])
    expect(w.orders.payments.get(ORDER)).toMatchObject({ providerRef: charge?.paymentId, status: 'captured' })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.orders.escrow()).toBe(2_500)
    expect(charge?.captures).toBe(1)
    expect(w.gateway.callsOf('capture')).toEqual([])
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
    expect(w.stock.settled('lst_a', ORDER)).toBe('committed')
  })

  it('a retry of the same key after the crash pays the same order, without a second capture', async () => {
    const w = world({ id: 'lst_a', quantity: 2 })
    crashOnPaidRecord(w)
    await expect(runCheckout(w.ports, request())).rejects.toThrow('worker died')
    const again = await runCheckout(w.ports, request())

    expect(paidOrder(again)).toEqual(w.orders.only())
    expect(w.gateway.charges.get(ORDER)?.captures).toBe(1)
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
  })
})

describe('runCheckout: a hold that lapses while the charge is in flight', () => {
  /** The listing's alarm fires while the provider works: the hold is past its time. */
  function lapseDuringCharge(w: FakeWorld): void {
    w.gateway.during = async (call) => {
      if (call.method !== 'charge') return
      w.clock.advance(SETTINGS.holdMs + SECOND)
      await w.lapse()
    }
  }

  it('gives the checkout up; the charge that then succeeds is written cancelled and the money goes back', async () => {
    const w = world({ id: 'lst_a', price: 2_500 })
    lapseDuringCharge(w)
    const r = await runCheckout(w.ports, request())

    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'checkout_cancelled', orderId: ORDER } })
    // The lapse asked the order's fate and gave the checkout up; the paid record was then refused.
    expect(bookCalls(w, ORDER)).toEqual([`orders.abandon ${ORDER}`, `orders.recordCheckout ${ORDER} paid`, `orders.recordCheckout ${ORDER} cancelled`, `orders.recordLateMoney ${ORDER}`])
    expect(w.orders.only()).toMatchObject({ id: ORDER, status: 'cancelled' })
    expect(w.orders.statuses(ORDER)).toEqual(['pending_payment', 'cancelled'])
    expect(w.orders.historyRows.at(-1)).toMatchObject({ status: 'cancelled', actor: 'system', reason: 'hold_expired' })

    const charge = w.gateway.charges.get(ORDER)
    expect(w.gateway.callsOf('refund')).toEqual([{ method: 'refund', key: `${ORDER}:refund`, paymentId: charge?.paymentId, amount: money(2_500, 'USD') }])
    expect(charge).toMatchObject({ status: 'refunded', captures: 1, refunds: 1 })
    expect(w.orders.payments.get(ORDER)).toMatchObject({ status: 'refunded', captured: true, providerRef: charge?.paymentId })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)

    expect(w.stock.reservations()).toEqual([])
    expect(w.stock.settled('lst_a', ORDER)).toBe('released')
    expect(w.stock.state('lst_a').sold).toBe(0)
    expect(w.stock.calls.filter((c) => c.method === 'commit')).toEqual([])
  })

  it('with the answer lost: nothing is written by the checkout, and the job with the draft writes it cancelled and gives the money back once', async () => {
    const w = world({ id: 'lst_a', price: 2_500 })
    w.gateway.script('charge', 'lost')
    lapseDuringCharge(w)
    const r = await runCheckout(w.ports, request())

    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'checkout_cancelled', orderId: ORDER } })
    expect(w.orders.orders.size).toBe(0)
    expect(w.orders.abandoned.has(ORDER)).toBe(true)
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'captured', captures: 1 })

    w.gateway.during = null
    const draft = jobDraft(w, ORDER)
    await reconcileOrder(w.ports, ORDER, 1, draft)
    await reconcileOrder(w.ports, ORDER, 1, draft)

    expect(w.orders.only()).toMatchObject({ status: 'cancelled' })
    expect(w.gateway.callsOf('refund')).toHaveLength(1)
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'refunded', captures: 1, refunds: 1 })
    expect(w.orders.payments.get(ORDER)).toMatchObject({ status: 'refunded', captured: true })
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture', 'refund'])
    expect(w.orders.escrow()).toBe(0)
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 0, reservations: [] })
  })

  it('a retry after the lapse answers checkout_cancelled without charging again', async () => {
    const w = world({ id: 'lst_a' })
    lapseDuringCharge(w)
    await runCheckout(w.ports, request())
    w.gateway.during = null
    const again = await runCheckout(w.ports, request())

    expect(again).toEqual({ kind: 'rejected', rejection: { code: 'checkout_cancelled', orderId: ORDER } })
    expect(w.gateway.callsOf('charge')).toHaveLength(1)
    expect(w.gateway.callsOf('refund')).toHaveLength(1)
    expect(w.orders.only().status).toBe('cancelled')
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 0, reservations: [] })
  })
})

describe('runCheckout: a listing that cannot be reached after payment', () => {
  it('the order stays paid when a commit throws, and the lapse later commits the hold (its fate answers commit)', async () => {
    const w = world({ id: 'lst_a' })
    w.stock.failNext('commit')
    const r = await runCheckout(w.ports, request())

    const order = w.orders.only()
    expect(paidOrder(r)).toEqual(order)
    expect(order.status).toBe('paid')
    expect(heldBy(w, ORDER)).toEqual([{ listingId: 'lst_a', id: ORDER, quantity: 1 }])
    expect(w.logs.filter((l) => l.msg === 'stock_step_deferred')).toHaveLength(1)

    w.clock.advance(SETTINGS.holdMs + SECOND)
    await w.lapse()

    expect(w.trace).toContain(`orders.abandon ${ORDER}`)
    expect(w.orders.abandoned.has(ORDER)).toBe(false)
    expect(w.orders.only()).toMatchObject({ status: 'paid', version: 2 })
    expect(w.stock.state('lst_a')).toMatchObject({ sold: 1, reservations: [] })
    expect(w.stock.settled('lst_a', ORDER)).toBe('committed')
    expect(w.orders.ledgerKinds(ORDER)).toEqual(['capture'])
  })
})

describe('runCheckout: offers and auctions', () => {
  const offerHold = (expiresInMs: number, unitPrice = 2_000): Reservation => ({
    id: 'ofr_1',
    holderId: BUYER,
    quantity: 1,
    unitPrice,
    expiresAt: new Date(T0.getTime() + expiresInMs).toISOString(),
    source: 'offer',
    orderBound: false,
  })

  function offerWorld(expiresInMs: number, ...others: Parameters<typeof fixedListing>[0][]): FakeWorld {
    const w = fakeOrderWorld()
    const a = fixedListing({ id: 'lst_a', price: 2_500 })
    w.stock.add({ ...a, reservations: [offerHold(expiresInMs)] }, ...others.map(fixedListing))
    return w
  }

  it('an accepted offer’s hold is claimed by the order, at the offer’s price, and keeps its own deadline', async () => {
    const w = offerWorld(DAY)
    w.gateway.script('charge', 'unknown')
    const r = await runCheckout(w.ports, request())

    expect(r.kind).toBe('pending')
    const order = w.orders.only()
    expect(order).toMatchObject({ total: 2_000, items: [{ listingId: 'lst_a', quantity: 1, unitPrice: 2_000 }] })
    expect(order.paymentDueAt).toBe(new Date(T0.getTime() + DAY).toISOString())
    expect(w.stock.state('lst_a').reservations).toEqual([{ ...offerHold(DAY), id: ORDER, orderBound: true }])
  })

  it('next to a line held for holdMs, the order is due when the first hold ends', async () => {
    const w = offerWorld(DAY, { id: 'lst_b', price: 1_000, quantity: 3 })
    w.gateway.script('charge', 'unknown')
    await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 3 }] }))
    const order = w.orders.only()
    expect(order.total).toBe(2_000 + 3 * 1_000)
    expect(order.paymentDueAt).toBe(new Date(T0.getTime() + SETTINGS.holdMs).toISOString())
    expect(jobDraft(w, ORDER).paymentDueAt).toBe(order.paymentDueAt)
  })

  it('an offer hold that ends sooner than holdMs makes the order due sooner', async () => {
    const w = offerWorld(5 * MINUTE, { id: 'lst_b', price: 1_000 })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }))
    const order = paidOrder(r)
    expect(order.paymentDueAt).toBe(new Date(T0.getTime() + 5 * MINUTE).toISOString())
    expect(w.orders.only()).toMatchObject({ status: 'paid', total: 3_000 })
    expect([w.stock.state('lst_a').sold, w.stock.state('lst_b').sold]).toEqual([1, 1])
    expect(w.stock.reservations()).toEqual([])
  })

  const AUCTION_ORDER = 'ord_auction_lst_x'

  function wonAuction(o: { orderBound?: boolean } = {}): FakeWorld {
    const w = fakeOrderWorld()
    const listing = fixedListing({ id: 'lst_x', price: 5_000 })
    const hold: Reservation = {
      id: o.orderBound === false ? 'rsv_win' : AUCTION_ORDER,
      holderId: BUYER,
      quantity: 1,
      unitPrice: 1_000,
      expiresAt: new Date(T0.getTime() + 2 * DAY).toISOString(),
      source: 'auction',
      orderBound: o.orderBound ?? true,
    }
    w.stock.add({ ...listing, reservations: [hold] })
    w.orders.put(
      orderRecord({
        id: AUCTION_ORDER,
        buyerId: BUYER,
        source: 'auction',
        total: 1_000,
        items: [{ listingId: 'lst_x', quantity: 1, unitPrice: 1_000 }],
        shippingAddress: null,
        paymentMethod: null,
        paymentDueAt: hold.expiresAt,
      }),
    )
    return w
  }

  it('a won auction is paid as its existing order: adopted by this key, charged under its id, the hold sold', async () => {
    const w = wonAuction()
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_x', quantity: 1 }] }))

    const order = w.orders.only()
    expect(paidOrder(r)).toEqual(order)
    expect(order).toMatchObject({ id: AUCTION_ORDER, status: 'paid', source: 'auction', checkoutKey: 'idem-1', paymentMethod: 'pm_card_visa', shippingAddress: await fakeSealAddress(ADDRESS)(AUCTION_ORDER), total: 1_000 })
    expect(w.gateway.callsOf('charge')).toEqual([{ method: 'charge', key: AUCTION_ORDER, paymentId: null, amount: money(1_000, 'USD') }])
    expect(w.gateway.charges.get(AUCTION_ORDER)?.captures).toBe(1)
    expect(w.orders.payments.get(AUCTION_ORDER)).toMatchObject({ status: 'captured', amount: 1_000 })
    expect(w.orders.ledgerKinds(AUCTION_ORDER)).toEqual(['capture'])
    expect(w.trace.filter((t) => t.startsWith('orders.recordCheckout'))).toEqual([])
    expect(w.stock.state('lst_x')).toMatchObject({ sold: 1, reservations: [] })
    expect(w.stock.settled('lst_x', AUCTION_ORDER)).toBe('committed')
    expect(w.jobs.of('reconcile').map((j) => j.orderId)).toEqual([AUCTION_ORDER])
  })

  it('a won auction is not paid by a buyer frozen (or whose credential ended) since this isolate last asked: nothing adopted, nothing charged', async () => {
    for (const refusal of ['account_frozen', 'unauthenticated'] as const) {
      const w = wonAuction()
      w.risk.refusal = refusal
      const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_x', quantity: 1 }] }))
      expect(r).toEqual({ kind: 'rejected', rejection: { code: refusal } })
      expect(w.trace).toContain(`risk.admitBuyer ${BUYER}`)
      expect(w.gateway.calls).toEqual([])
      expect(w.orders.only()).toMatchObject({ id: AUCTION_ORDER, status: 'pending_payment', checkoutKey: null })
    }
  })

  it('a won auction whose order is not made yet is refused for now, charging nothing', async () => {
    const w = wonAuction({ orderBound: false })
    const r = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_x', quantity: 1 }] }))
    expect(r).toMatchObject({ kind: 'rejected', rejection: { code: 'invalid_checkout' } })
    expect(w.gateway.calls).toEqual([])
    expect(w.orders.only()).toMatchObject({ id: AUCTION_ORDER, status: 'pending_payment', checkoutKey: null })
    expect(w.stock.state('lst_x').reservations.map((x) => x.id)).toEqual(['rsv_win'])
  })

  it('a won auction checked out with another key after the first is refused, leaving the first key’s order alone', async () => {
    const w = wonAuction()
    w.gateway.script('charge', 'unknown')
    await runCheckout(w.ports, request({ items: [{ listingId: 'lst_x', quantity: 1 }] }))
    const r = await runCheckout(w.ports, request({ key: 'idem-2', items: [{ listingId: 'lst_x', quantity: 1 }] }))
    expect(r).toEqual({ kind: 'rejected', rejection: { code: 'invalid_transition', orderId: AUCTION_ORDER, status: 'pending_payment' } })
    expect(w.gateway.callsOf('charge')).toHaveLength(1)
    expect(w.orders.only()).toMatchObject({ checkoutKey: 'idem-1', status: 'pending_payment' })
  })
})

describe('runCheckout: a refused retry never undoes the hold a charged try of the same order relies on', () => {
  /*
   * After a 5xx the idempotency key is freed (idempotency-record.ts shouldKeep), so its fingerprint
   * no longer guards it: the client may send the same key with a changed cart. The order id is the
   * same (derived from buyer and key), so the refused retry's compensation releases, by order id,
   * the hold of the first try, whose charge was captured and whose order reconciliation then
   * writes paid. Law 1: the paid order's unit must stay its own.
   */
  const changedCarts: { name: string; items: CheckoutRequest['items'] }[] = [
    { name: 'a different quantity (reservation_conflict)', items: [{ listingId: 'lst_a', quantity: 2 }] },
    { name: 'an added line that is sold out', items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] },
  ]

  it.each(changedCarts)('retry with $name after a crash past the charge', async ({ items }) => {
    const w = world({ id: 'lst_a', quantity: 1 }, { id: 'lst_b', quantity: 1 })
    // lst_b's one unit is someone else's.
    await runCheckout(w.ports, request({ buyerId: 'usr_other', key: 'other', items: [{ listingId: 'lst_b', quantity: 1 }] }))
    const record = w.orders.recordCheckout.bind(w.orders)
    let crashed = false
    w.orders.recordCheckout = (draft: OrderDraft, rec: CheckoutRecord, at: string) => {
      if (draft.id === ORDER && rec.status === 'paid' && !crashed) {
        crashed = true
        return Promise.reject(new Error('D1 unavailable'))
      }
      return record(draft, rec, at)
    }
    await expect(runCheckout(w.ports, request())).rejects.toThrow('D1 unavailable')
    expect(w.gateway.charges.get(ORDER)).toMatchObject({ status: 'captured', captures: 1 })

    const retry = await runCheckout(w.ports, request({ items }))
    expect(retry.kind).toBe('rejected')

    // The first try's watchdog writes its order paid, from its draft.
    await reconcileOrder(w.ports, ORDER, 1, jobDraft(w, ORDER))
    expect(w.orders.orders.get(ORDER)).toMatchObject({ status: 'paid', items: [{ listingId: 'lst_a', quantity: 1, unitPrice: 2_500 }] })

    // The paid order's unit is sold to it, and nobody else can buy it.
    expect(w.stock.state('lst_a').sold).toBe(1)
    const third = await runCheckout(w.ports, request({ buyerId: 'usr_third', key: 'third' }))
    expect(third).toMatchObject({ kind: 'rejected', rejection: { code: 'sold_out' } })
    const paidUnits = [...w.orders.orders.values()].filter((o) => o.status === 'paid').flatMap((o) => o.items).filter((i) => i.listingId === 'lst_a')
    expect(paidUnits.reduce((n, i) => n + i.quantity, 0)).toBeLessThanOrEqual(w.stock.state('lst_a').quantity)
  })
})

describe('runCheckout: a retry that finds its order already decided holds nothing more', () => {
  /*
   * The retry of a paid checkout under a freed key (a 5xx after the batch) with a changed cart: a
   * listing earlier in id order than the paid line is held under the order id before the paid
   * line answers 'committed' and the saga halts. That hold is never released: when it lapses, its
   * fate is the paid order's ('commit'), and the unit is sold to an order that never bought it.
   */
  it('a changed cart under the key of a paid order leaves no hold, and sells nothing the order did not buy', async () => {
    const w = world({ id: 'lst_a', quantity: 2 }, { id: 'lst_b', quantity: 2 })
    const first = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_b', quantity: 1 }] }))
    expect(paidOrder(first).items).toEqual([{ listingId: 'lst_b', quantity: 1, unitPrice: 2_500 }])

    const retry = await runCheckout(w.ports, request({ items: [{ listingId: 'lst_a', quantity: 1 }, { listingId: 'lst_b', quantity: 1 }] }))
    expect(retry).toMatchObject({ kind: 'paid', order: { id: ORDER } })
    expect(w.gateway.callsOf('charge')).toHaveLength(1)

    w.clock.advance(SETTINGS.holdMs + SECOND)
    await w.lapse()

    // The order bought one unit of lst_b and nothing of lst_a.
    expect(w.orders.only().items).toEqual([{ listingId: 'lst_b', quantity: 1, unitPrice: 2_500 }])
    expect(w.stock.state('lst_a').sold).toBe(0)
    expect(w.stock.reservations()).toEqual([])
  })
})
