import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { email, eventually, PASSWORD, type Json, httpAt, type HttpInit } from '../support/node/client'
import { sendWebhook, startFakeStripe, stripeSignature, type FakeStripe, type PaymentIntent } from '../support/node/fake-stripe'

/**
 * The Stripe adapter end to end: the real worker (GATEWAY=stripe) on a port, talking over real
 * HTTP to a fake Stripe on another, driven over real HTTP from here. A checkout is one charge that
 * captures at once: an intent created unconfirmed with `capture_method=automatic` under
 * `<order>:intent`, confirmed under `<order>:confirm`, and no capture call. Reconciliation's own
 * timer is pushed out of the way (RECONCILE_DELAY_SECONDS=3600), so whatever finishes a pending
 * order in these tests is the webhook the test sends, and nothing else.
 */
const SECRET_KEY = 'sk_test_fake_stripe_e2e'
const WEBHOOK_SECRET = 'whsec_fake_stripe_e2e_0123456789'
const TIMEOUT_MS = 500

let fake: FakeStripe
let souk: { url: string; stop: () => Promise<void> }

beforeAll(async () => {
  fake = await startFakeStripe({ secretKey: SECRET_KEY })
  souk = await startLocalSouk({
    LOG_LEVEL: 'error',
    GATEWAY: 'stripe',
    STRIPE_API_BASE: fake.url,
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GATEWAY_TIMEOUT_MS: String(TIMEOUT_MS),
    GATEWAY_MAX_ATTEMPTS: '3',
    RECONCILE_DELAY_SECONDS: '3600',
  })
})

afterAll(async () => {
  await souk?.stop()
  await fake?.close()
})

type Order = Json & { id: string; status: string; total: { amount: number; currency: string }; history: { status: string }[] }
type Problem = Json & { code: string; orderId?: string; declineCode?: string }

const api = (path: string, init?: HttpInit): Promise<Response> => httpAt(souk.url, path, init)

async function user(label: string): Promise<string> {
  const res = await api('/v1/auth/register', { method: 'POST', json: { email: email(label), password: PASSWORD, displayName: label } })
  expect(res.status).toBe(201)
  return ((await res.json()) as { token: string }).token
}

async function fixedListing(sellerToken: string, price: number): Promise<string> {
  const res = await api('/v1/listings', { method: 'POST', token: sellerToken, json: { title: 'Hand-thrown mug', category: 'kitchen', format: 'fixed_price', price: { amount: price, currency: 'USD' }, quantity: 1 } })
  if (res.status !== 201) throw new Error(`listing ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

const ADDRESS = { name: 'Ada Buyer', line1: '1 Market St', city: 'Springfield', postalCode: '12345', country: 'US' }

async function checkout(token: string, listingId: string, paymentMethod: string, key: string = crypto.randomUUID()): Promise<{ res: Response; body: Order & Problem }> {
  const res = await api('/v1/checkout', { method: 'POST', token, json: { items: [{ listingId, quantity: 1 }], paymentMethod, shippingAddress: ADDRESS }, headers: { 'Idempotency-Key': key } })
  return { res, body: (await res.json()) as Order & Problem }
}

/** The order's status code as its buyer reads it: 404 for an order that was never written. */
async function orderStatus(token: string, id: string): Promise<number> {
  const res = await api(`/v1/orders/${id}`, { token })
  await res.body?.cancel()
  return res.status
}

async function order(token: string, id: string): Promise<Order> {
  const res = await api(`/v1/orders/${id}`, { token })
  if (res.status !== 200) throw new Error(`order ${id}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Order
}

/** The listing as its object holds it now (strongly consistent): what a buyer could still take. */
async function listing(id: string): Promise<{ status: string; available: number }> {
  const res = await api(`/v1/listings/${id}`)
  if (res.status !== 200) throw new Error(`listing ${id}: ${res.status} ${await res.text()}`)
  return (await res.json()) as { status: string; available: number }
}

type LedgerVerification = { ok: boolean; checks: { name: string; ok: boolean; violations: Json[] }[] }

/** `GET /v1/admin/ledger/verify` as the seeded admin: laws 3 and 4 over the whole database. */
async function verifyLedger(): Promise<LedgerVerification> {
  const login = await api('/v1/auth/login', { method: 'POST', json: { email: 'admin@souk.test', password: 'souk-admin-dev-only' } })
  expect(login.status).toBe(200)
  const { token } = (await login.json()) as { token: string }
  const res = await api('/v1/admin/ledger/verify', { token })
  expect(res.status).toBe(200)
  return (await res.json()) as LedgerVerification
}

/** A buyer with a fresh one-unit listing from a fresh seller: every test stands alone. */
async function scene(price = 2500): Promise<{ seller: string; buyer: string; listingId: string; price: number }> {
  const [seller, buyer] = await Promise.all([user('stripe-seller'), user('stripe-buyer')])
  return { seller, buyer, listingId: await fixedListing(seller, price), price }
}

/** The order's one intent at the fake, asserting there is exactly one. */
function onlyIntent(orderId: string) {
  const intents = fake.intentsForOrder(orderId)
  expect(intents).toHaveLength(1)
  return intents[0]!
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const CREATE = 'POST /v1/payment_intents'
const CONFIRM = 'POST /v1/payment_intents/:id/confirm'
const CAPTURE = 'POST /v1/payment_intents/:id/capture'
const CANCEL = 'POST /v1/payment_intents/:id/cancel'
const REFUND = 'POST /v1/refunds'
const READ = 'GET /v1/payment_intents/:id'

/** Every call about the order that reached the fake, as `endpoint outcome` (retries and replays included). */
const callsFor = (orderId: string) => fake.requestsForOrder(orderId).map((r) => `${r.endpoint} ${r.outcome}`)

/** Money moved for the order by anything but the one confirm: captures, voids, refunds, at any key. */
function otherMoneyCalls(orderId: string): string[] {
  return callsFor(orderId).filter((c) => c.startsWith(CAPTURE) || c.startsWith(CANCEL) || c.startsWith(REFUND))
}

describe('checkout through the Stripe adapter against a fake Stripe', () => {
  it('(a) pm_card_visa: 201 paid, one automatic-capture intent created once and confirmed once, the confirm its only capture', async () => {
    const { buyer, listingId, price } = await scene(2500)
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    expect(res.status).toBe(201)
    expect(body.status).toBe('paid')
    const id = body.id

    const { intent, captures, confirms, refunds, cancels } = onlyIntent(id)
    expect(intent).toMatchObject({ status: 'succeeded', amount: price, amount_received: price, currency: 'usd', capture_method: 'automatic', payment_method: 'pm_card_visa', metadata: { order_id: id } })
    // The risk engine counted the card by its fingerprint, asked of Stripe (once per isolate and payment method).
    expect(fake.executions('GET /v1/payment_methods/:id')).toBeGreaterThanOrEqual(1)
    expect({ captures, confirms, refunds, cancels }).toEqual({ captures: 1, confirms: 1, refunds: [], cancels: 0 })
    // Exactly two calls, each executed once under the adapter's keys: no read, no capture, no retry.
    expect(callsFor(id)).toEqual([`${CREATE} executed`, `${CONFIRM} executed`])
    expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
    expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
    expect(fake.executions(CAPTURE)).toBe(0)
    // Every call carried the credentials and the pinned API version (the fake refuses others).
    expect(fake.requests.filter((r) => r.outcome === 'rejected')).toEqual([])

    const paid = await order(buyer, id)
    expect(paid).toMatchObject({ status: 'paid', total: { amount: price, currency: 'USD' } })
    expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
    expect(await listing(listingId)).toMatchObject({ status: 'sold_out', available: 0 })
  })

  it.each([
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'insufficient_funds'],
    ['pm_card_chargeDeclined', 'generic_decline', 'card_declined'],
    ['pm_card_chargeDeclinedFraudulent', 'fraudulent', 'fraudulent'],
  ])('(b) %s: 402 payment_declined (%s → %s) naming the order, no order written, the unit back on sale, nothing captured', async (pm, stripeCode, declineCode) => {
    const { buyer, listingId } = await scene()
    const { res, body } = await checkout(buyer, listingId, pm)
    expect(res.status).toBe(402)
    expect(body).toMatchObject({ code: 'payment_declined', declineCode })
    const id = body.orderId ?? ''
    expect(id).toMatch(/^ord_[0-9a-z]+$/)

    // The order id named is the one the charge was made under.
    const { intent, captures, confirms } = onlyIntent(id)
    expect(intent.status).toBe('requires_payment_method')
    expect(intent.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: stripeCode })
    expect({ captures, confirms }).toEqual({ captures: 0, confirms: 1 })
    expect(callsFor(id)).toEqual([`${CREATE} executed`, `${CONFIRM} executed`])

    expect(await orderStatus(buyer, id)).toBe(404)
    expect(await listing(listingId)).toMatchObject({ status: 'active', available: 1 })
  })

  it('(c) the confirm captures but its answer is lost: 202 pending_payment with the unit held, then a signed webhook pays the order, no capture call', async () => {
    const { buyer, listingId, price } = await scene()
    const release = deferred()
    fake.failNextConfirm({ kind: 'hold', until: release.promise })
    try {
      const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
      expect(res.status).toBe(202)
      expect(body.status).toBe('pending_payment')
      const id = body.id

      // Stripe has the money; Souk does not know it yet.
      const { intent, captures } = onlyIntent(id)
      expect(intent).toMatchObject({ status: 'succeeded', amount_received: price })
      expect(captures).toBe(1)
      expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
      // The adapter's retries of the confirm met the one still running (409) and did not run it again.
      expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:confirm` && r.outcome === 'in_flight_conflict').length).toBeGreaterThanOrEqual(1)
      const pending = await order(buyer, id)
      expect(pending.status).toBe('pending_payment')
      expect(pending.history.map((h) => h.status)).toEqual(['pending_payment'])
      expect(await listing(listingId)).toMatchObject({ status: 'active', available: 0 })

      const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.succeeded', intent.id))
      expect(hook.status).toBe(200)
      expect(await hook.json()).toEqual({ received: true, duplicate: false })

      const paid = await eventually(
        () => order(buyer, id),
        (o) => o.status === 'paid',
      )
      expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
      expect(await listing(listingId)).toMatchObject({ status: 'sold_out', available: 0 })
      expect(onlyIntent(id)).toMatchObject({ captures: 1, confirms: 1, refunds: [], cancels: 0, intent: { status: 'succeeded' } })
      expect(otherMoneyCalls(id)).toEqual([])
      // The webhook asked by replaying the create (same key, same parameters) and reading the intent: no second intent.
      expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
      expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:intent` && r.outcome === 'replayed').length).toBeGreaterThanOrEqual(1)
      expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:intent` && r.outcome === 'idempotency_mismatch')).toEqual([])
      expect(fake.executions(READ)).toBeGreaterThanOrEqual(1)
    } finally {
      release.resolve()
      await fake.settled()
    }
  })

  it('(d) a webhook that lands while the confirm answer is on its way, before the order exists: it writes nothing, and the checkout answers paid with the one capture', async () => {
    const { buyer, listingId } = await scene()
    let duringHold: { hook: number; receipt: unknown; order: number } | null = null
    let orderId = ''
    // The fake sends the event as soon as the confirm has applied and answers the confirm only
    // after the worker has answered the event (well within the adapter's 500 ms timeout).
    fake.failNextConfirm({
      kind: 'hold',
      whileHeld: async (intent: PaymentIntent) => {
        orderId = intent.metadata.order_id ?? ''
        const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.succeeded', intent.id))
        duringHold = { hook: hook.status, receipt: await hook.json(), order: await orderStatus(buyer, orderId) }
      },
    })
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    await fake.settled()
    // Acknowledged; the order is written only by the checkout, once the outcome is known.
    expect(duringHold).toEqual({ hook: 200, receipt: { received: true, duplicate: false }, order: 404 })
    expect(res.status).toBe(201)
    expect(body).toMatchObject({ id: orderId, status: 'paid' })

    const paid = await order(buyer, orderId)
    expect(paid.status).toBe('paid')
    expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
    expect(await listing(listingId)).toMatchObject({ status: 'sold_out', available: 0 })
    expect(onlyIntent(orderId)).toMatchObject({ captures: 1, confirms: 1, refunds: [], intent: { status: 'succeeded' } })
    expect(fake.executions(CONFIRM, `${orderId}:confirm`)).toBe(1)
    expect(otherMoneyCalls(orderId)).toEqual([])
  })

  it('(d′) the checkout never gets the confirm answer: an early webhook finds no order, a later one pays the pending order while the answer is still held; 202 pending_payment, one capture', async () => {
    const { buyer, listingId } = await scene()
    const checkoutAnswered = deferred()
    const seen: { early?: number; earlyOrder?: number; pendingAt?: string; late?: number } = {}
    fake.failNextConfirm({
      kind: 'hold',
      until: checkoutAnswered.promise,
      whileHeld: async (intent: PaymentIntent) => {
        const id = intent.metadata.order_id ?? ''
        seen.early = (await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.succeeded', intent.id))).status
        seen.earlyOrder = await orderStatus(buyer, id)
        // The checkout gives up on the confirm and writes the order pending_payment; the answer is still held.
        seen.pendingAt = await eventually(
          async () => ((await orderStatus(buyer, id)) === 200 ? (await order(buyer, id)).status : 'absent'),
          (status) => status !== 'absent',
        )
        seen.late = (await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('charge.succeeded', intent.id))).status
      },
    })
    let res: Response
    let body: Order & Problem
    try {
      ;({ res, body } = await checkout(buyer, listingId, 'pm_card_visa'))
    } finally {
      checkoutAnswered.resolve()
      await fake.settled()
    }
    expect(seen).toEqual({ early: 200, earlyOrder: 404, pendingAt: 'pending_payment', late: 200 })
    // The checkout answered from the order it wrote: pending, not a contradiction of it.
    expect(res.status).toBe(202)
    expect(body.status).toBe('pending_payment')
    const id = body.id

    const paid = await eventually(
      () => order(buyer, id),
      (o) => o.status === 'paid',
    )
    expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
    expect(await listing(listingId)).toMatchObject({ status: 'sold_out', available: 0 })
    expect(onlyIntent(id)).toMatchObject({ captures: 1, confirms: 1, refunds: [], intent: { status: 'succeeded' } })
    expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
    expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
    expect(otherMoneyCalls(id)).toEqual([])
  })

  it('(e) payment webhooks: a bad signature and a stale one are 401 invalid_signature and change nothing; the same event twice is applied once', async () => {
    const { buyer, listingId } = await scene()
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    expect(res.status).toBe(201)
    const { intent } = onlyIntent(body.id)
    const event = fake.event('payment_intent.succeeded', intent.id)

    const wrongSecret = await sendWebhook(souk.url, 'whsec_not_the_right_secret', event)
    expect(wrongSecret.status).toBe(401)
    expect(await wrongSecret.json()).toMatchObject({ code: 'invalid_signature' })

    const tampered = await sendWebhook(souk.url, WEBHOOK_SECRET, event, { signature: stripeSignature(WEBHOOK_SECRET, JSON.stringify({ ...event, type: 'charge.refunded' })) })
    expect(tampered.status).toBe(401)
    expect(await tampered.json()).toMatchObject({ code: 'invalid_signature' })

    const stale = await sendWebhook(souk.url, WEBHOOK_SECRET, event, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })
    expect(stale.status).toBe(401)
    expect(await stale.json()).toMatchObject({ code: 'invalid_signature' })

    const unsigned = await fetch(`${souk.url}/v1/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) })
    expect(unsigned.status).toBe(401)

    // None of the refused deliveries was recorded: the first good one is not a duplicate.
    const first = await sendWebhook(souk.url, WEBHOOK_SECRET, event)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ received: true, duplicate: false })
    const again = await sendWebhook(souk.url, WEBHOOK_SECRET, event)
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ received: true, duplicate: true })

    expect((await order(buyer, body.id)).status).toBe('paid')
    expect(onlyIntent(body.id)).toMatchObject({ captures: 1, refunds: [], cancels: 0 })
    expect(otherMoneyCalls(body.id)).toEqual([])
  })

  it('(f) a retry with the same Idempotency-Key after a 202 creates no second intent and charges nothing more', async () => {
    const { buyer, listingId } = await scene()
    const key = crypto.randomUUID()
    const release = deferred()
    fake.failNextConfirm({ kind: 'hold', until: release.promise })
    try {
      const first = await checkout(buyer, listingId, 'pm_card_visa', key)
      expect(first.res.status).toBe(202)
      const id = first.body.id
      const callsBefore = callsFor(id)

      const again = await checkout(buyer, listingId, 'pm_card_visa', key)
      expect(again.res.status).toBe(202)
      expect(again.res.headers.get('idempotent-replayed')).toBe('true')
      expect(again.body.id).toBe(id)
      // The retry reached nobody at Stripe.
      expect(callsFor(id)).toEqual(callsBefore)
      expect(fake.intentsForOrder(id)).toHaveLength(1)

      // The webhook still finishes it, with the one intent and the confirm's one capture.
      release.resolve()
      await fake.settled()
      const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.succeeded', onlyIntent(id).intent.id))
      expect(hook.status).toBe(200)
      await eventually(
        () => order(buyer, id),
        (o) => o.status === 'paid',
      )
      expect(onlyIntent(id)).toMatchObject({ captures: 1, confirms: 1, refunds: [] })
      expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
      expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
      expect(otherMoneyCalls(id)).toEqual([])

      // A retry now answers from the order as it stands, still without a call to Stripe.
      const callsPaid = callsFor(id)
      const late = await checkout(buyer, listingId, 'pm_card_visa', key)
      expect(late.res.headers.get('idempotent-replayed')).toBe('true')
      expect(late.body.id).toBe(id)
      expect(callsFor(id)).toEqual(callsPaid)
    } finally {
      release.resolve()
      await fake.settled()
    }
  })

  it('(g) the confirm captures and Stripe answers 500 (kept for the key): 202, and the webhook pays it with that one capture', async () => {
    const { buyer, listingId } = await scene()
    fake.failNextConfirm({ kind: 'error_after_apply' })
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    expect(res.status).toBe(202)
    expect(body.status).toBe('pending_payment')
    const id = body.id
    expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
    // The retries got the kept 500 back, as Stripe replays it: nothing ran twice.
    expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:confirm` && r.outcome === 'replayed' && r.status === 500).length).toBeGreaterThanOrEqual(1)
    const { intent, captures } = onlyIntent(id)
    expect(intent.status).toBe('succeeded')
    expect(captures).toBe(1)
    expect((await order(buyer, id)).status).toBe('pending_payment')

    const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.succeeded', intent.id))
    expect(hook.status).toBe(200)
    const paid = await eventually(
      () => order(buyer, id),
      (o) => o.status === 'paid',
    )
    expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
    expect(await listing(listingId)).toMatchObject({ status: 'sold_out', available: 0 })
    expect(onlyIntent(id)).toMatchObject({ captures: 1, confirms: 1, refunds: [] })
    expect(otherMoneyCalls(id)).toEqual([])
  })

  it('(h) the seller cancels a paid order: one refund of the captured amount at Stripe, keyed by the order, and the unit back on sale', async () => {
    const { seller, buyer, listingId, price } = await scene(4200)
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    expect(res.status).toBe(201)
    const id = body.id
    const cancelled = await api(`/v1/orders/${id}/cancel`, { method: 'POST', token: seller })
    expect(cancelled.status).toBe(200)
    expect(((await cancelled.json()) as Order).status).toBe('cancelled')

    const record = await eventually(
      () => Promise.resolve(onlyIntent(id)),
      (r) => r.refunds.length > 0,
    )
    expect(record).toMatchObject({ captures: 1, cancels: 0, intent: { status: 'succeeded' } })
    expect(record.refunds).toEqual([expect.objectContaining({ amount: price, payment_intent: record.intent.id, status: 'succeeded' })])
    expect(fake.executions(REFUND, `${id}:refund`)).toBe(1)
    expect(otherMoneyCalls(id)).toEqual([`${REFUND} executed`])
    const after = await order(buyer, id)
    expect(after.status).toBe('cancelled')
    expect(after.history.map((h) => h.status)).toEqual(['pending_payment', 'paid', 'cancelled'])
    expect(await listing(listingId)).toMatchObject({ status: 'active', available: 1 })
    expect((await verifyLedger()).checks.filter((c) => !c.ok)).toEqual([])
  })

  it('(i) the buyer cancels a pending order whose charge had in fact captured: the webhook refunds it once, the order stays cancelled, the books show capture and refund', async () => {
    const { buyer, listingId, price } = await scene(3100)
    const release = deferred()
    fake.failNextConfirm({ kind: 'hold', until: release.promise })
    let id: string
    try {
      const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
      expect(res.status).toBe(202)
      id = body.id
    } finally {
      release.resolve()
      await fake.settled()
    }
    const cancelled = await api(`/v1/orders/${id}/cancel`, { method: 'POST', token: buyer })
    expect(cancelled.status).toBe(200)
    expect(((await cancelled.json()) as Order).status).toBe('cancelled')
    expect(await listing(listingId)).toMatchObject({ status: 'active', available: 1 })
    // Money captured for an order that no longer wants it, and Souk has not learned of it yet.
    const before = onlyIntent(id)
    expect(before).toMatchObject({ captures: 1, refunds: [], intent: { status: 'succeeded', amount_received: price } })

    const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.succeeded', before.intent.id))
    expect(hook.status).toBe(200)
    const record = await eventually(
      () => Promise.resolve(onlyIntent(id)),
      (r) => r.refunds.length > 0,
    )
    expect(record).toMatchObject({ captures: 1, cancels: 0, intent: { status: 'succeeded' } })
    expect(record.refunds).toEqual([expect.objectContaining({ amount: price, payment_intent: record.intent.id, status: 'succeeded' })])
    expect(fake.executions(REFUND, `${id}:refund`)).toBe(1)

    // Another event about the same payment finds the money already on its way back.
    const later = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('charge.refunded', record.intent.id))
    expect(later.status).toBe(200)
    expect(await later.json()).toEqual({ received: true, duplicate: false })
    expect(onlyIntent(id).refunds).toHaveLength(1)
    expect(otherMoneyCalls(id)).toEqual([`${REFUND} executed`])

    const after = await order(buyer, id)
    expect(after.status).toBe('cancelled')
    expect(after.history.map((h) => h.status)).toEqual(['pending_payment', 'cancelled'])
    expect(await listing(listingId)).toMatchObject({ status: 'active', available: 1 })
    // The late money is booked as a capture and its refund: escrow matches the open orders, the
    // refund of a captured payment is in the ledger, no captured payment sits on a cancelled order.
    expect((await verifyLedger()).checks.filter((c) => !c.ok)).toEqual([])
  })

  describe('(j) a checkout the risk rules send to review', () => {
    /** The seeded admin's token, with a rule holding checkouts of 9,000.00 or more for review. */
    async function reviewingAdmin(): Promise<string> {
      const login = await api('/v1/auth/login', { method: 'POST', json: { email: 'admin@souk.test', password: 'souk-admin-dev-only' } })
      const { token } = (await login.json()) as { token: string }
      const rules = [{ id: 'big_order', action: 'checkout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 900_000 }], reason: 'a big order' }]
      expect((await api('/v1/admin/risk/rules', { method: 'PUT', token, json: { rules }, headers: { 'If-Match': '*' } })).status).toBe(200)
      return token
    }
    async function heldOrder(admin: string) {
      const s = await scene(1_000_000)
      const { res, body } = await checkout(s.buyer, s.listingId, 'pm_card_visa')
      expect(res.status).toBe(202)
      expect(body.status).toBe('pending_review')
      const reviews = (await (await api('/v1/admin/risk/reviews?kind=order&status=open&limit=100', { token: admin })).json()) as { data: { id: string; subjectId: string }[] }
      return { ...s, orderId: body.id, reviewId: reviews.data.find((r) => r.subjectId === body.id)!.id }
    }

    it('holds the money with a manual-capture intent; approving captures it once and pays the order', async () => {
      const admin = await reviewingAdmin()
      const held = await heldOrder(admin)
      expect(onlyIntent(held.orderId)).toMatchObject({ captures: 0, intent: { status: 'requires_capture', capture_method: 'manual' } })
      expect((await api(`/v1/admin/risk/reviews/${held.reviewId}/approve`, { method: 'POST', token: admin })).status).toBe(200)
      expect(onlyIntent(held.orderId)).toMatchObject({ captures: 1, intent: { status: 'succeeded' } })
      expect((await order(held.buyer, held.orderId)).status).toBe('paid')
      expect((await api(`/v1/admin/risk/reviews/${held.reviewId}/approve`, { method: 'POST', token: admin })).status).toBe(409)
      expect(onlyIntent(held.orderId).captures).toBe(1)
      expect((await verifyLedger()).checks.filter((c) => !c.ok)).toEqual([])
    })

    it('rejecting cancels the intent (no money moved), cancels the order and puts the unit back on sale', async () => {
      const admin = await reviewingAdmin()
      const held = await heldOrder(admin)
      expect((await api(`/v1/admin/risk/reviews/${held.reviewId}/reject`, { method: 'POST', token: admin })).status).toBe(200)
      await eventually(() => Promise.resolve(onlyIntent(held.orderId)), (r) => r.cancels === 1)
      expect(onlyIntent(held.orderId)).toMatchObject({ captures: 0, cancels: 1, intent: { status: 'canceled' } })
      expect((await order(held.buyer, held.orderId)).status).toBe('cancelled')
      expect(await listing(held.listingId)).toMatchObject({ available: 1 })
      expect((await verifyLedger()).checks.filter((c) => !c.ok)).toEqual([])
    })
  })
})
