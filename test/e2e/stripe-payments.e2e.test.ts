import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { email, eventually, PASSWORD, type Json } from '../support/node/client'
import { sendWebhook, startFakeStripe, stripeSignature, type FakeStripe, type PaymentIntent } from '../support/node/fake-stripe'

/**
 * The Stripe adapter end to end: the real worker (GATEWAY=stripe) on a port, talking over real
 * HTTP to a fake Stripe on another, driven over real HTTP from here. Reconciliation's own timer
 * is pushed out of the way (RECONCILE_DELAY_SECONDS=3600), so whatever finishes a pending order
 * in these tests is the webhook the test sends, and nothing else.
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

function api(path: string, init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${souk.url}${path}`, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) })
}

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

async function order(token: string, id: string): Promise<Order> {
  const res = await api(`/v1/orders/${id}`, { token })
  if (res.status !== 200) throw new Error(`order ${id}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Order
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

describe('checkout through the Stripe adapter against a fake Stripe', () => {
  it('(a) pm_card_visa: 201 paid, one intent for the order, confirmed once and captured exactly once', async () => {
    const { buyer, listingId, price } = await scene(2500)
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    expect(res.status).toBe(201)
    expect(body.status).toBe('paid')
    const id = body.id

    const { intent, captures, confirms } = onlyIntent(id)
    expect(intent).toMatchObject({ status: 'succeeded', amount: price, amount_received: price, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', metadata: { order_id: id } })
    expect(captures).toBe(1)
    expect(confirms).toBe(1)
    // The adapter's keys, one execution each.
    expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
    expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
    expect(fake.executions(CAPTURE, `${id}:capture`)).toBe(1)
    // Every call carried the credentials and the pinned API version (the fake refuses others).
    expect(fake.requests.filter((r) => r.outcome === 'rejected')).toEqual([])

    expect(await order(buyer, id)).toMatchObject({ status: 'paid', total: { amount: price, currency: 'USD' } })
  })

  it.each([
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'insufficient_funds'],
    ['pm_card_chargeDeclined', 'generic_decline', 'card_declined'],
  ])('(b) %s: 402 payment_declined (%s → %s), the order cancelled, nothing captured', async (pm, stripeCode, declineCode) => {
    const { buyer, listingId } = await scene()
    const { res, body } = await checkout(buyer, listingId, pm)
    expect(res.status).toBe(402)
    expect(body).toMatchObject({ code: 'payment_declined', declineCode })
    const id = body.orderId!

    const { intent, captures } = onlyIntent(id)
    expect(intent.status).toBe('requires_payment_method')
    expect(intent.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: stripeCode })
    expect(captures).toBe(0)
    expect(fake.executions(CAPTURE, `${id}:capture`)).toBe(0)
    expect((await order(buyer, id)).status).toBe('cancelled')
  })

  it('(c) the confirm applies but its answer is lost: 202 pending_payment, then a signed webhook pays the order with one capture', async () => {
    const { buyer, listingId } = await scene()
    const release = deferred()
    fake.failNextConfirm({ kind: 'hold', until: release.promise })
    try {
      const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
      expect(res.status).toBe(202)
      expect(body.status).toBe('pending_payment')
      const id = body.id

      // Stripe holds the authorization; Souk does not know it yet and has captured nothing.
      const { intent } = onlyIntent(id)
      expect(intent.status).toBe('requires_capture')
      expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
      // The adapter's retries of the confirm met the one still running (409) and did not run it again.
      expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:confirm` && r.outcome === 'in_flight_conflict').length).toBeGreaterThanOrEqual(1)
      expect(onlyIntent(id).captures).toBe(0)
      expect((await order(buyer, id)).status).toBe('pending_payment')

      const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.amount_capturable_updated', intent.id))
      expect(hook.status).toBe(200)
      expect(await hook.json()).toEqual({ received: true, duplicate: false })

      const paid = await eventually(
        () => order(buyer, id),
        (o) => o.status === 'paid',
      )
      expect(paid.history.map((h) => h.status)).toEqual(['pending_payment', 'paid'])
      expect(onlyIntent(id)).toMatchObject({ captures: 1, intent: { status: 'succeeded' } })
      expect(fake.executions(CAPTURE, `${id}:capture`)).toBe(1)
      // Reconciliation asked by replaying the create (same key, same parameters): no second intent.
      expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
      expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:intent` && r.outcome === 'idempotency_mismatch')).toEqual([])
    } finally {
      release.resolve()
      await fake.settled()
    }
  })

  it('(d) a webhook that lands while the confirm answer is still on its way: one capture, paid, and a checkout answer that agrees', async () => {
    const { buyer, listingId } = await scene()
    let hookAnswer: { status: number; body: unknown } | null = null
    // The fake sends the event as soon as the confirm has applied and answers the confirm only
    // after the worker has answered the event.
    fake.failNextConfirm({
      kind: 'hold',
      whileHeld: async (intent: PaymentIntent) => {
        const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.amount_capturable_updated', intent.id))
        hookAnswer = { status: hook.status, body: await hook.json() }
      },
    })
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    await fake.settled()
    expect(hookAnswer).toEqual({ status: 200, body: { received: true, duplicate: false } })
    expect([201, 202]).toContain(res.status)
    expect(body.status).toBe(res.status === 201 ? 'paid' : 'pending_payment')
    const id = body.id

    await eventually(
      () => order(buyer, id),
      (o) => o.status === 'paid',
    )
    expect(onlyIntent(id)).toMatchObject({ captures: 1, intent: { status: 'succeeded' } })
    expect(fake.executions(CAPTURE, `${id}:capture`)).toBe(1)
    expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
  })

  it('(d′) a webhook pays the order while the checkout never gets the confirm answer: one capture, and the checkout does not contradict the order', async () => {
    const { buyer, listingId } = await scene()
    const checkoutAnswered = deferred()
    let hookStatus = 0
    fake.failNextConfirm({
      kind: 'hold',
      until: checkoutAnswered.promise,
      whileHeld: async (intent: PaymentIntent) => {
        hookStatus = (await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.amount_capturable_updated', intent.id))).status
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
    expect(hookStatus).toBe(200)
    const id = body.id
    const now = await order(buyer, id)
    expect(now.status).toBe('paid')
    expect(onlyIntent(id)).toMatchObject({ captures: 1, intent: { status: 'succeeded' } })
    expect(fake.executions(CAPTURE, `${id}:capture`)).toBe(1)
    // 201 paid, or 202 pending_payment for an order that was still pending when answered; a 202
    // that says `paid` (or a 201 that does not) tells the client two different things.
    expect([201, 202]).toContain(res.status)
    expect(body.status).toBe(res.status === 201 ? 'paid' : 'pending_payment')
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
    expect(onlyIntent(body.id).captures).toBe(1)
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
      const requestsBefore = fake.requests.filter((r) => r.idempotencyKey?.startsWith(`${id}:`)).length

      const again = await checkout(buyer, listingId, 'pm_card_visa', key)
      expect(again.res.status).toBe(202)
      expect(again.res.headers.get('idempotent-replayed')).toBe('true')
      expect(again.body.id).toBe(id)

      expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
      expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
      expect(fake.intentsForOrder(id)).toHaveLength(1)
      expect(fake.requests.filter((r) => r.idempotencyKey?.startsWith(`${id}:`)).length).toBe(requestsBefore)

      // The webhook still finishes it, with the one intent.
      release.resolve()
      await fake.settled()
      const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.amount_capturable_updated', onlyIntent(id).intent.id))
      expect(hook.status).toBe(200)
      await eventually(
        () => order(buyer, id),
        (o) => o.status === 'paid',
      )
      expect(onlyIntent(id).captures).toBe(1)
      expect(fake.executions(CREATE, `${id}:intent`)).toBe(1)
    } finally {
      release.resolve()
      await fake.settled()
    }
  })

  it('(g) the confirm applies and Stripe answers 500 (kept for the key): 202, and the webhook pays it with one capture', async () => {
    const { buyer, listingId } = await scene()
    fake.failNextConfirm({ kind: 'error_after_apply' })
    const { res, body } = await checkout(buyer, listingId, 'pm_card_visa')
    expect(res.status).toBe(202)
    expect(body.status).toBe('pending_payment')
    const id = body.id
    expect(fake.executions(CONFIRM, `${id}:confirm`)).toBe(1)
    // The retries got the kept 500 back, as Stripe replays it: nothing ran twice.
    expect(fake.requests.filter((r) => r.idempotencyKey === `${id}:confirm` && r.outcome === 'replayed' && r.status === 500).length).toBeGreaterThanOrEqual(1)
    const { intent } = onlyIntent(id)
    expect(intent.status).toBe('requires_capture')

    const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.amount_capturable_updated', intent.id))
    expect(hook.status).toBe(200)
    await eventually(
      () => order(buyer, id),
      (o) => o.status === 'paid',
    )
    expect(onlyIntent(id).captures).toBe(1)
  })

  it('(h) the seller cancels a paid order: one refund of the captured amount at Stripe, keyed by the order', async () => {
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
    expect((await order(buyer, id)).status).toBe('cancelled')
  })

  it('(i) the buyer cancels while the authorization is unknown: the webhook finds it held and voids it, nothing captured', async () => {
    const { buyer, listingId } = await scene()
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
    const { intent } = onlyIntent(id)
    expect(intent.status).toBe('requires_capture') // money held for an order that no longer wants it

    const hook = await sendWebhook(souk.url, WEBHOOK_SECRET, fake.event('payment_intent.amount_capturable_updated', intent.id))
    expect(hook.status).toBe(200)
    const record = await eventually(
      () => Promise.resolve(onlyIntent(id)),
      (r) => r.intent.status === 'canceled',
    )
    expect(record).toMatchObject({ captures: 0, cancels: 1, refunds: [] })
    expect(fake.executions(CANCEL, `${id}:refund:cancel`)).toBe(1)
    expect(fake.executions(CAPTURE, `${id}:capture`)).toBe(0)
    expect((await order(buyer, id)).status).toBe('cancelled')
  })
})
