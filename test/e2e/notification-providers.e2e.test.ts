import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { email, eventually, PASSWORD, type Json, httpAt, type HttpInit } from '../support/node/client'
import { startFakeNotificationProviders, type FakeNotificationProviders, type ProviderRequest } from '../support/node/fake-notification-providers'

/**
 * Notices through real providers, end to end: the real worker (NOTIFICATION_DELIVERY=providers)
 * on a port, talking over real HTTP to a fake Resend and a fake Twilio on another, driven over
 * real HTTP from here. E-mail is held to 1 per second so the per-provider rate limit is in play;
 * SMS gets room enough that phone verification in one test never waits on another's texts.
 * Locally QUEUE_RETRY_SCALE is 0.01: a retry's backoff is scaled by it (a provider's Retry-After
 * is not) and rounded to whole seconds.
 */
const RESEND_API_KEY = 're_test_e2e'
const TWILIO_ACCOUNT_SID = `AC${'e2e0'.repeat(8)}`
const TWILIO_AUTH_TOKEN = 'twilio_auth_token_e2e'
const SMS_FROM = '+15005550006'
const EMAIL_FROM = 'Souk <notices@souk.test>'

let fake: FakeNotificationProviders
let souk: { url: string; stop: () => Promise<void> }

beforeAll(async () => {
  fake = await startFakeNotificationProviders({ resendApiKey: RESEND_API_KEY, twilioAccountSid: TWILIO_ACCOUNT_SID, twilioAuthToken: TWILIO_AUTH_TOKEN })
  souk = await startLocalSouk({
    LOG_LEVEL: 'error',
    NOTIFICATION_DELIVERY: 'providers',
    RESEND_API_BASE: fake.url,
    RESEND_API_KEY,
    EMAIL_FROM,
    TWILIO_API_BASE: fake.url,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    SMS_FROM,
    NOTIFICATION_RATE_LIMITS: JSON.stringify({ email: { limit: 1, windowSeconds: 1 }, sms: { limit: 20, windowSeconds: 1 }, push: { limit: 100, windowSeconds: 1 } }),
  })
})

afterAll(async () => {
  await souk?.stop()
  await fake?.close()
})

type Person = { token: string; email: string }
type PhoneView = { phone: string | null; verifiedAt: string | null; pending: { phone: string; expiresAt: string } | null }
type Notice = { id: string; type: string; category: string; title: string; body: string; data: Json }

const api = (path: string, init?: HttpInit): Promise<Response> => httpAt(souk.url, path, init)

async function user(label: string): Promise<Person> {
  const address = email(label)
  const res = await api('/v1/auth/register', { method: 'POST', json: { email: address, password: PASSWORD, displayName: label } })
  expect(res.status).toBe(201)
  return { token: ((await res.json()) as { token: string }).token, email: address }
}

async function fixedListing(seller: Person, price: number): Promise<string> {
  const res = await api('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Hand-thrown mug', category: 'kitchen', format: 'fixed_price', price: { amount: price, currency: 'USD' }, quantity: 1 } })
  if (res.status !== 201) throw new Error(`listing ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

const ADDRESS = { name: 'Ada Buyer', line1: '1 Market St', city: 'Springfield', postalCode: '12345', country: 'US' }

/** A paid checkout of one unit (the sandbox gateway); answers the order id. */
async function paidCheckout(buyer: Person, listingId: string): Promise<string> {
  const res = await api('/v1/checkout', {
    method: 'POST',
    token: buyer.token,
    headers: { 'Idempotency-Key': crypto.randomUUID() },
    json: { items: [{ listingId, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: ADDRESS },
  })
  const body = (await res.json()) as { id: string; status: string }
  expect(res.status, JSON.stringify(body)).toBe(201)
  expect(body.status).toBe('paid')
  return body.id
}

/** A UK mobile number nobody else in this run has, as typed (spaced) and in E.164. */
function freshPhone(): { typed: string; e164: string } {
  const tail = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')
  return { typed: `+44 7700 ${tail.slice(0, 3)} ${tail.slice(3)}`, e164: `+447700${tail}` }
}

async function phoneOf(person: Person): Promise<PhoneView> {
  const res = await api('/v1/me/phone', { token: person.token })
  expect(res.status).toBe(200)
  return (await res.json()) as PhoneView
}

/** Gives `person` a verified number, with the code the fake Twilio carried; answers it in E.164. */
async function verifiedPhone(person: Person): Promise<string> {
  const { typed, e164 } = freshPhone()
  const put = await api('/v1/me/phone', { method: 'PUT', token: person.token, json: { phone: typed } })
  expect(put.status, await put.clone().text()).toBe(202)
  const verify = await api('/v1/me/phone/verify', { method: 'POST', token: person.token, json: { code: fake.codeSentTo(e164) } })
  expect(verify.status).toBe(200)
  expect(((await verify.json()) as PhoneView).phone).toBe(e164)
  return e164
}

async function inbox(person: Person): Promise<Notice[]> {
  const res = await api('/v1/me/notifications', { token: person.token })
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: Notice[] }).data
}

/** What reached Resend for `to` about one order, in arrival order. */
const emailsAbout = (to: string, orderId: string): ProviderRequest[] => fake.requestsTo('resend', to).filter((r) => String(r.body.text).includes(orderId))
/** What reached Twilio for `to` about one order, in arrival order. */
const textsAbout = (to: string, orderId: string): ProviderRequest[] => fake.requestsTo('twilio', to).filter((r) => String(r.body.Body).includes(orderId))
const read = <T>(f: () => T) => () => Promise.resolve(f())
const accepted = (rs: ProviderRequest[]) => rs.some((r) => r.status === 200 || r.status === 201)

/**
 * The seller's `order.sold` e-mail is queued after the buyer's `order.paid` sends (the consumer
 * records the buyer's notice first and awaits its queueing), so once it has reached Resend the
 * buyer's sends of that event have had their turn on the queue: a barrier for "nothing more came".
 */
async function sellerToldOf(seller: Person, orderId: string): Promise<void> {
  await eventually(read(() => emailsAbout(seller.email, orderId)), accepted)
}

describe('notices through Resend and Twilio (fakes over real HTTP)', () => {
  it('(1) verifies a phone by SMS: one code to the normalized number, a wrong guess counted, the right one proves it, a second code within a minute is 429', async () => {
    const person = await user('phone-owner')
    const put = await api('/v1/me/phone', { method: 'PUT', token: person.token, json: { phone: '+33 6 12 34 56 78' } })
    expect(put.status).toBe(202)
    const pending = (await put.json()) as PhoneView
    expect(pending).toMatchObject({ phone: null, verifiedAt: null, pending: { phone: '+33612345678' } })

    const texts = fake.requestsTo('twilio', '+33612345678')
    expect(texts).toHaveLength(1)
    const [text] = texts
    expect(text).toMatchObject({ outcome: 'sent', status: 201, path: `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json` })
    expect(text!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`)
    expect(text!.body).toEqual({ To: '+33612345678', From: SMS_FROM, Body: expect.stringMatching(/^Your Souk code is \d{6}\. /) as unknown })
    const code = fake.codeSentTo('+33612345678')

    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    const wrong = await api('/v1/me/phone/verify', { method: 'POST', token: person.token, json: { code: wrongCode } })
    expect(wrong.status).toBe(422)
    expect(await wrong.json()).toMatchObject({ code: 'code_invalid', attemptsLeft: 4 })
    expect((await phoneOf(person)).phone).toBeNull()

    const right = await api('/v1/me/phone/verify', { method: 'POST', token: person.token, json: { code: code.replace(/^(\d{3})/, '$1 ') } })
    expect(right.status).toBe(200)
    const verified = (await right.json()) as PhoneView
    expect(verified).toMatchObject({ phone: '+33612345678', pending: null })
    expect(Date.parse(verified.verifiedAt ?? '')).not.toBeNaN()
    expect(await phoneOf(person)).toEqual(verified)

    // One code a minute per person, whatever the number: refused before anything is texted.
    const again = await api('/v1/me/phone', { method: 'PUT', token: person.token, json: { phone: '+33 6 98 76 54 32' } })
    expect(again.status).toBe(429)
    const retryAfter = Number(again.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(await again.json()).toMatchObject({ code: 'rate_limited' })
    expect(fake.requestsTo('twilio', '+33698765432')).toEqual([])
    expect(await phoneOf(person)).toEqual(verified)
  })

  it('(1′) a number Twilio calls invalid (21211) is 422 phone_unreachable, leaves no pending code, and another number may be tried at once', async () => {
    const person = await user('phone-invalid')
    const bad = freshPhone()
    fake.fail('twilio', { to: bad.e164, status: 400, body: { code: 21211, message: `The 'To' number ${bad.e164} is not a valid phone number.`, status: 400 } })
    const put = await api('/v1/me/phone', { method: 'PUT', token: person.token, json: { phone: bad.typed } })
    expect(put.status).toBe(422)
    expect(await put.json()).toMatchObject({ code: 'phone_unreachable' })
    expect(fake.requestsTo('twilio', bad.e164).map((r) => r.outcome)).toEqual(['injected'])
    expect(await phoneOf(person)).toEqual({ phone: null, verifiedAt: null, pending: null })
    const guess = await api('/v1/me/phone/verify', { method: 'POST', token: person.token, json: { code: '123456' } })
    expect(guess.status).toBe(422)
    expect(await guess.json()).toMatchObject({ code: 'code_expired' })

    // Nothing reached them, so the once-a-minute rule does not hold them back.
    const good = freshPhone()
    const retry = await api('/v1/me/phone', { method: 'PUT', token: person.token, json: { phone: good.typed } })
    expect(retry.status).toBe(202)
    expect(fake.requestsTo('twilio', good.e164).map((r) => r.outcome)).toEqual(['sent'])
  })

  it('(2) a payment notice goes out once by e-mail and once by SMS despite a lost Resend answer and a Twilio 429, under the e-mail rate limit', async () => {
    const [seller, buyer] = await Promise.all([user('notice-seller'), user('notice-buyer')])
    const phone = await verifiedPhone(buyer)
    const listingId = await fixedListing(seller, 2500)
    // Resend takes the first e-mail but its answer is lost (500); Twilio turns the first SMS away.
    fake.fail('resend', { to: buyer.email, status: 500, afterSend: true, body: { statusCode: 500, name: 'internal_server_error', message: 'An unexpected error occurred.' } })
    fake.fail('twilio', { to: phone, status: 429, retryAfter: '1', body: { code: 20429, message: 'Too Many Requests', status: 429 } })

    const orderId = await paidCheckout(buyer, listingId)
    await eventually(read(() => emailsAbout(buyer.email, orderId)), accepted)
    await eventually(read(() => textsAbout(phone, orderId)), accepted)
    await sellerToldOf(seller, orderId)

    // E-mail: retried with the same idempotency key, so Resend sent it once and replayed its answer.
    const mails = emailsAbout(buyer.email, orderId)
    expect(mails.map((m) => m.outcome)).toEqual(['sent_answer_lost', ...Array<string>(mails.length - 1).fill('replayed')])
    expect(mails.length).toBeGreaterThanOrEqual(2)
    const keys = [...new Set(mails.map((m) => m.idempotencyKey))]
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^ntf_[0-9a-z]{26}:email$/)
    expect(mails.at(-1)).toMatchObject({ status: 200, providerId: mails[0]!.providerId })
    expect(mails[0]!.headers.authorization).toBe(`Bearer ${RESEND_API_KEY}`)
    expect(mails[0]!.body).toEqual({ from: EMAIL_FROM, to: [buyer.email], subject: 'Payment received', text: `Your payment of $25.00 for order ${orderId} went through.` })

    // SMS: Twilio keeps no idempotency key; the 429 sent nothing, the retry sent it, once.
    const texts = textsAbout(phone, orderId)
    expect(texts.map((t) => [t.outcome, t.status])).toEqual([
      ['injected', 429],
      ['sent', 201],
    ])
    expect(texts[1]!.body).toEqual({ To: phone, From: SMS_FROM, Body: `Payment received\nYour payment of $25.00 for order ${orderId} went through.` })

    // The e-mail quota (1 a second, one counter for Resend) spaces every request to Resend, the
    // buyer's and the seller's alike; without it the seller's e-mail would leave with the buyer's
    // first attempt, in the same queue batch. Measured where they arrive, with latency allowed for.
    const toResend = [...mails, ...fake.requestsTo('resend', seller.email).filter((r) => String(r.body.text).includes(orderId))].sort((a, b) => a.at - b.at)
    for (let i = 1; i < toResend.length; i++) expect(toResend[i]!.at - toResend[i - 1]!.at).toBeGreaterThanOrEqual(500)

    const paid = (await inbox(buyer)).filter((n) => n.type === 'order.paid')
    expect(paid).toHaveLength(1)
    expect(paid[0]).toMatchObject({ category: 'payment', title: 'Payment received', data: { orderId } })

    // In providers mode nothing lands in the development outbox; the route itself is gated on
    // ENVIRONMENT (development here), not on the delivery mode, so it answers 200 with nothing.
    const outbox = await api('/v1/dev/outbox', { token: buyer.token })
    expect(outbox.status).toBe(200)
    expect(await outbox.json()).toEqual({ data: [] })
  })

  it('(2′) a provider’s Retry-After holds the retry back, unscaled, longer than backoff and the rate limit would', async () => {
    const [seller, buyer] = await Promise.all([user('retry-after-seller'), user('retry-after-buyer')])
    const listingId = await fixedListing(seller, 1800)
    const retryAfterSeconds = 4 // as said; backoff's first retry is 0–5 s × 0.01 → 0 s
    fake.fail('resend', { to: buyer.email, status: 429, retryAfter: String(retryAfterSeconds), body: { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests.' } })

    const orderId = await paidCheckout(buyer, listingId)
    const mails = await eventually(read(() => emailsAbout(buyer.email, orderId)), accepted, 20_000)
    expect(mails.map((m) => [m.outcome, m.status])).toEqual([
      ['injected', 429],
      ['sent', 200],
    ])
    // Without Retry-After the retry would come within a batch or two (≈1–3 s, rate limit included).
    expect(mails[1]!.at - mails[0]!.at).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 500)
  })

  it('(3) a number whose owner sent STOP (21610) is forgotten after one attempt, and a later notice texts nobody', async () => {
    const [seller, buyer] = await Promise.all([user('stop-seller'), user('stop-buyer')])
    const phone = await verifiedPhone(buyer)
    fake.unsubscribe(phone)
    const [first, second] = [await fixedListing(seller, 1200), await fixedListing(seller, 1300)]

    const firstOrder = await paidCheckout(buyer, first)
    const forgotten = await eventually(() => phoneOf(buyer), (p) => p.phone === null)
    expect(forgotten).toEqual({ phone: null, verifiedAt: null, pending: null })
    // A 400 is not retried: one attempt, answered 21610.
    expect(textsAbout(phone, firstOrder).map((t) => [t.outcome, t.status])).toEqual([['injected', 400]])
    // E-mail is another address: it still went.
    await eventually(read(() => emailsAbout(buyer.email, firstOrder)), accepted)

    const secondOrder = await paidCheckout(buyer, second)
    await eventually(read(() => emailsAbout(buyer.email, secondOrder)), accepted)
    await sellerToldOf(seller, secondOrder)
    expect((await inbox(buyer)).filter((n) => n.type === 'order.paid').map((n) => n.data.orderId)).toEqual([secondOrder, firstOrder])
    // Nothing more to the forgotten number (only its code and the refused notice), nothing at all about the later order.
    expect(fake.requestsTo('twilio', phone).map((t) => t.outcome)).toEqual(['sent', 'injected'])
    expect(fake.requests.filter((r) => r.provider === 'twilio' && String(r.body.Body).includes(secondOrder))).toEqual([])
  })
})
