import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { createECDH, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { developmentSecrets } from '../../scripts/development-vars'
import { wrangler } from '../../scripts/local-d1'
import { startLocalSouk } from '../../scripts/local-worker'
import { drawPicture } from '../../scripts/demo-pictures'
import { encodePng } from '../../scripts/png-encoder'
import { demoAccounts } from '../../scripts/seed'
import { codeAt, PERIOD_SECONDS } from '../../src/accounts/totp'
import { exampleIds } from '../../src/http/openapi-example-ids'
import { signPayload } from '../../src/webhooks/signed-payload'
import { baseUrl, email, eventually, PASSWORD } from '../support/node/client'

/**
 * Issue 12: every operation in GET /v1/openapi.json, sent to the running worker as its examples
 * describe it, answers its documented success status with a body its documented schema admits.
 * Each request is built from the document alone: the path and query parameters from their
 * examples, the JSON body from the request body's example. Only the example ids are swapped for
 * the ids of real things of the same kind (src/http/openapi-example-ids.ts), made over HTTP first.
 * What the document cannot say is in `plans`: who calls each operation, what it uses up (made
 * fresh for it), and the few explicit changes to an example, each with its reason.
 */

type Schema = Record<string, unknown>
type Media = { schema?: Schema; example?: unknown }
type Parameter = { name: string; in: string; required?: boolean; example?: unknown; schema?: Schema }
type Operation = { operationId: string; security?: unknown[]; parameters?: Parameter[]; requestBody?: { content: Record<string, Media> }; responses: Record<string, { content?: Record<string, Media> }> }
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } }

type IdKind = keyof typeof exampleIds
type Ids = Partial<Record<IdKind, string>>
type Actor = 'seller' | 'buyer' | 'admin'
type User = { id: string; token: string; email: string }
/** A worker and what was made in it: who calls, and the real thing of each kind an example names. */
type World = { url: string; users: Partial<Record<Actor, User>>; ids: Ids }
/** An operation's example request: path and query parameters by name, and the JSON body. */
type Example = { params: Record<string, unknown>; query: Record<string, unknown>; body?: unknown }

type Plan = {
  /** Who calls it: the world's user in that role, or nobody (no token). */
  actor: Actor | 'none'
  /** `ops`: the second worker (opsWorld), for what the shared one cannot show. */
  world?: 'ops'
  /** Makes what the operation uses up or changes: ids to use instead of the world's, and a user to call as instead of the actor. */
  fresh?: (w: World) => Promise<{ ids?: Ids; user?: User }>
  /** An explicit change to the example, where it cannot be sent as it is. */
  adjust?: (example: Example, caller: User | undefined) => void | Promise<void>
  /** Inbound provider webhooks: signed as the provider signs them. */
  sign?: { header: string; secret: string }
  /** Headers the document leaves optional that this call needs (a step-up code). */
  headers?: (caller: User | undefined) => Record<string, string>
  /** A body that is not JSON (a photo's bytes), which the document shows no example of: its media type and bytes. */
  raw?: () => { type: string; body: Uint8Array }
}

const secrets = developmentSecrets()
const eur = (amount: number) => ({ amount, currency: 'EUR' })
const usd = (amount: number) => ({ amount, currency: 'USD' })

// ---- HTTP for building the world ----

async function send(url: string, path: string, init: { method?: string; user?: User; json?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.user) headers.authorization = `Bearer ${init.user.token}`
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) })
}

/** The JSON of a 2xx answer; anything else fails the setup with what the worker said. */
async function ok<T>(res: Promise<Response>): Promise<T> {
  const r = await res
  const text = await r.text()
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const post = <T>(user: User, path: string, json?: unknown, headers?: Record<string, string>) => ok<T>(send(baseUrl(), path, { method: 'POST', user, json, headers }))

async function register(label: string): Promise<User> {
  const address = email(label)
  const body = await ok<{ token: string; user: { id: string } }>(send(baseUrl(), '/v1/auth/register', { method: 'POST', json: { email: address, password: PASSWORD, displayName: label } }))
  return { id: body.user.id, token: body.token, email: address }
}

async function login(url: string, address: string, password: string): Promise<User> {
  const body = await ok<{ token: string; user: { id: string } }>(send(url, '/v1/auth/login', { method: 'POST', json: { email: address, password } }))
  return { id: body.user.id, token: body.token, email: address }
}

const demoAdmin = demoAccounts.find((a) => a.role === 'admin')!
const loginAdmin = (url: string) => login(url, demoAdmin.email, demoAdmin.password)

/** A body's signature header as Stripe signs its events (Souk asks carriers for the same scheme). */
const signature = (secret: string, body: string) => signPayload(secret, body, Math.floor(Date.now() / 1000))

/** UPS says the shipment was delivered. */
async function delivered(trackingNumber: string): Promise<void> {
  const body = JSON.stringify({ id: randomUUID(), trackingNumber, status: 'delivered', occurredAt: new Date().toISOString() })
  const headers = { 'content-type': 'application/json', 'carrier-signature': await signature(secrets.CARRIER_WEBHOOK_SECRET!, body) }
  await ok(fetch(`${baseUrl()}/v1/webhooks/carriers/ups`, { method: 'POST', headers, body }))
}

// ---- The world: things of every kind the examples name ----

const lamp = { title: 'Brass oil lamp', description: 'Hand-hammered, 1950s.', category: 'home', format: 'fixed_price', price: eur(4500), quantity: 50, acceptsOffers: true }
const trackingNumber = () => `1Z${randomBytes(8).toString('hex').toUpperCase()}`
const phoneNumber = () => `+336${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`

async function checkout(w: World, paymentMethod = 'pm_card_visa'): Promise<string> {
  const body = { items: [{ listingId: w.ids.listing, quantity: 1 }], paymentMethod, shippingAddress: { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' } }
  return (await post<{ id: string }>(w.users.buyer!, '/v1/checkout', body, { 'Idempotency-Key': randomUUID() })).id
}

type Stage = 'paid' | 'shipped' | 'delivered' | 'completed' | 'disputed'

/** A new order of one lamp by the world's buyer, taken as far as `stage` (shipped with UPS, delivered by its signed event). */
async function orderAt(w: World, stage: Stage): Promise<Ids> {
  const order = await checkout(w)
  if (stage === 'paid') return { order }
  const tracking = trackingNumber()
  await post(w.users.seller!, `/v1/orders/${order}/ship`, { carrier: 'ups', trackingNumber: tracking })
  if (stage !== 'shipped') await delivered(tracking)
  if (stage === 'completed') await post(w.users.buyer!, `/v1/orders/${order}/accept`)
  if (stage === 'disputed') await post(w.users.buyer!, `/v1/orders/${order}/disputes`, { reason: 'Not as described' })
  return { order, trackingNumber: tracking }
}

/** A small PNG of the lamp, made by the demo seed's encoder. */
const lampPhoto = () => ({ type: 'image/png', body: encodePng(drawPicture({ initials: 'BOL', from: [214, 170, 80], to: [96, 64, 24], motif: 'disc' }, 0, 120, 90)) })

/** A photo of the world's lamp, uploaded by its seller: its id. */
async function uploadedPhoto(w: World): Promise<string> {
  const photo = lampPhoto()
  const res = fetch(`${w.url}/v1/listings/${w.ids.listing}/images`, { method: 'POST', headers: { authorization: `Bearer ${w.users.seller!.token}`, 'content-type': photo.type }, body: photo.body })
  return (await ok<{ id: string }>(res)).id
}

/** A pending offer on the lamp from a buyer of its own (each buyer has one live offer per listing). */
/** The TOTP secret of each user who started enrolling, by user id. */
const totpSecrets = new Map<string, string>()
const totpSecretOf = (user: User | undefined): string => {
  const secret = user && totpSecrets.get(user.id)
  if (!secret) throw new Error('no TOTP enrolment for this caller')
  return secret
}

async function totpStarted(label: string): Promise<User> {
  const user = await register(label)
  totpSecrets.set(user.id, (await post<{ secret: string }>(user, '/v1/me/mfa/totp')).secret)
  return user
}

async function totpOn(label: string): Promise<User> {
  const user = await totpStarted(label)
  await post(user, '/v1/me/mfa/totp/verify', { code: codeAt(totpSecretOf(user), Date.now()) })
  return user
}

/** The sandbox identity provider verifies `user` (its outcome arrives through the Stripe webhook a second later). */
async function verified(user: User): Promise<void> {
  await post(user, '/v1/me/verification')
  await eventually(() => ok<{ status: string }>(send(baseUrl(), '/v1/me/verification', { user })), (v) => v.status === 'verified')
}

/**
 * An order of its own held for review: a rule sends checkouts of exactly 7,777.00 to review (added
 * to the rules in force), and the buyer buys a listing at that price. Answers the review's id.
 */
async function heldOrder(w: World): Promise<Ids> {
  const admin = w.users.admin!
  const current = await send(w.url, '/v1/admin/risk/rules', { user: admin })
  const { rules } = (await current.json()) as { rules: { id: string }[] }
  const rule = { id: `e2e_review_${randomUUID().slice(0, 8)}`, action: 'checkout', verdict: 'review', all: [{ signal: 'amount', op: 'gte', value: 777_700 }, { signal: 'amount', op: 'lte', value: 777_700 }], reason: 'the e2e price' }
  await ok(send(w.url, '/v1/admin/risk/rules', { method: 'PUT', user: admin, json: { rules: [...rules, rule] }, headers: { 'if-match': current.headers.get('etag') ?? '*' } }))
  const listing = await post<{ id: string }>(w.users.seller!, '/v1/listings', { ...lamp, price: eur(777_700) })
  const shipTo = { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' }
  const order = await post<{ id: string; status: string }>(w.users.buyer!, '/v1/checkout', { items: [{ listingId: listing.id, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: shipTo }, { 'Idempotency-Key': randomUUID() })
  if (order.status !== 'pending_review') throw new Error(`the order was not held: ${order.status}`)
  const reviews = await ok<{ data: { id: string; subjectId: string }[] }>(send(w.url, '/v1/admin/risk/reviews?kind=order&status=open&limit=100', { user: admin }))
  return { riskReview: reviews.data.find((r) => r.subjectId === order.id)!.id, order: order.id }
}

/** A paid order whose refund the provider refused (the sandbox refuses refunds of its card): its refund is still due. */
async function refundRefused(w: World): Promise<Ids> {
  const order = await checkout(w, 'pm_sandbox_refund_refused')
  await post(w.users.seller!, `/v1/orders/${order}/cancel`)
  return { order }
}

async function freshOffer(w: World): Promise<{ ids: Ids }> {
  const buyer = await register('offerer')
  return { ids: { offer: (await post<{ id: string }>(buyer, `/v1/listings/${w.ids.listing}/offers`, { amount: eur(4000), quantity: 1 })).id } }
}

/** A new user whose phone number waits for the code just texted to it. */
async function userWithPendingPhone(): Promise<User> {
  const user = await register('phone')
  await ok(send(baseUrl(), '/v1/me/phone', { method: 'PUT', user, json: { phone: phoneNumber() } }))
  return user
}

function pushKeys(): { p256dh: string; auth: string } {
  return { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') }
}

async function buildWorld(receiverUrl: string): Promise<World> {
  const [seller, buyer, admin] = await Promise.all([register('seller'), register('buyer'), loginAdmin(baseUrl())])
  const w: World = { url: baseUrl(), users: { seller, buyer, admin }, ids: { buyer: buyer.id, buyerEmail: buyer.email, seller: seller.id, admin: admin.id } }
  w.ids.listing = (await post<{ id: string }>(seller, '/v1/listings', lamp)).id
  const print = { title: 'Signed gallery print', category: 'art', format: 'auction', auction: { startingBid: usd(1000), endsAt: new Date(Date.now() + 86_400_000).toISOString() } }
  w.ids.auction = (await post<{ id: string }>(seller, '/v1/listings', print)).id
  w.ids.offer = (await post<{ id: string }>(buyer, `/v1/listings/${w.ids.listing}/offers`, { amount: eur(4000), quantity: 1 })).id
  w.ids.order = await checkout(w)
  w.ids.apiKey = (await post<{ id: string }>(buyer, '/v1/api-keys', { name: 'world', scopes: ['account:read'] })).id
  w.ids.pushSubscription = (await post<{ id: string }>(buyer, '/v1/me/push-subscriptions', { endpoint: `https://updates.push.services.mozilla.com/wpush/v2/${randomUUID()}`, keys: pushKeys() })).id
  w.ids.webhookEndpoint = (await post<{ id: string }>(seller, '/v1/webhook-endpoints', { url: receiverUrl, events: ['order.*'] })).id
  w.ids.webhookDelivery = (await post<{ id: string }>(seller, `/v1/webhook-endpoints/${w.ids.webhookEndpoint}/test`)).id
  // One rebuild at a time: the world's finishes before the walk starts another.
  const rebuild = await post<{ id: string }>(admin, '/v1/admin/read-model/rebuild')
  w.ids.readModelRebuild = rebuild.id
  await eventually(() => ok<{ status: string }>(send(baseUrl(), `/v1/admin/read-model/rebuilds/${rebuild.id}`, { user: admin })), (r) => r.status !== 'running')
  const inbox = await eventually(() => ok<{ data: { id: string; type: string }[] }>(send(baseUrl(), '/v1/me/notifications', { user: seller })), (p) => p.data.some((n) => n.type === 'order.sold'))
  w.ids.notification = inbox.data.find((n) => n.type === 'order.sold')!.id
  return w
}

/**
 * A second worker, as `npm start` runs it but with BINDING_PROBE=on (GET /v1/dev/binding-counts
 * answers 404 without it) and one dead letter: no request makes a queue give up on a message, so
 * the operator's record of one is written before the worker starts.
 */
async function opsWorld(): Promise<World & { stop: () => Promise<void> }> {
  const deadLetter = randomBytes(16).toString('hex')
  // A delivery job for a message that no longer exists: replayed, it is acknowledged and changes nothing.
  const letter = `INSERT INTO dead_letters (id, queue, body, attempts, received_at) VALUES ('${deadLetter}', 'souk-webhooks', '{"messageId":"${exampleIds.webhookDelivery}"}', 6, '${new Date().toISOString()}')`
  const souk = await startLocalSouk({ LOG_LEVEL: 'warn', BINDING_PROBE: 'on' }, (dir) => Promise.resolve(wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', dir, '--command', letter])))
  const admin = await loginAdmin(souk.url)
  return { url: souk.url, users: { admin }, ids: { deadLetter }, stop: souk.stop }
}

// ---- Who calls what, and what each operation uses up ----

/** By operationId. What `fresh` makes is what the operation would use up or change for the operations after it. */
const plans: Record<string, Plan> = {
  getHealth: { actor: 'none' },
  postAuthRegister: {
    actor: 'none',
    // The example's address is the world's buyer's, registered already.
    adjust: (e) => void ((e.body as { email: string }).email = email('register')),
  },
  postAuthLogin: { actor: 'none' },
  // A session of its own, so the buyer's stays.
  postAuthLogout: { actor: 'buyer', fresh: async (w) => ({ user: await login(w.url, w.users.buyer!.email, PASSWORD) }) },
  getMe: { actor: 'buyer' },
  // Erasure is for good: a user of its own.
  deleteMe: { actor: 'buyer', fresh: async () => ({ user: await register('erased') }) },
  getMeExport: { actor: 'buyer' },
  // TOTP goes on and off for users of their own: the world's keep no second factor.
  postMeMfaTotp: { actor: 'buyer', fresh: async () => ({ user: await register('totp-start') }) },
  postMeMfaTotpVerify: {
    actor: 'buyer',
    fresh: async () => ({ user: await totpStarted('totp-verify') }),
    // The example's code belongs to another secret: the current code of this user's.
    adjust: (e, caller) => void ((e.body as { code: string }).code = codeAt(totpSecretOf(caller), Date.now())),
  },
  // Step-up with the next step's code: the current one was spent turning TOTP on.
  deleteMeMfaTotp: { actor: 'buyer', fresh: async () => ({ user: await totpOn('totp-off') }), headers: (caller) => ({ 'x-mfa-code': codeAt(totpSecretOf(caller), Date.now() + PERIOD_SECONDS * 1000) }) },
  getUsersById: { actor: 'none' },
  getUsersByIdReviews: { actor: 'none' },
  postApiKeys: { actor: 'buyer' },
  getApiKeys: { actor: 'buyer' },
  deleteApiKeysById: { actor: 'buyer', fresh: async (w) => ({ ids: { apiKey: (await post<{ id: string }>(w.users.buyer!, '/v1/api-keys', { name: 'revoked', scopes: ['account:read'] })).id } }) },
  // The example freezes Ada; here a user of its own stands in for her.
  postAdminUsersByIdFreeze: { actor: 'admin', fresh: async () => ({ ids: { buyer: (await register('frozen')).id } }) },
  postAdminUsersByIdUnfreeze: {
    actor: 'admin',
    fresh: async (w) => {
      const user = await register('unfrozen')
      await post(w.users.admin!, `/v1/admin/users/${user.id}/freeze`)
      return { ids: { buyer: user.id } }
    },
  },
  getListingsFacets: { actor: 'none' },
  postListings: { actor: 'seller' },
  getListings: { actor: 'none' },
  getListingsById: { actor: 'none' },
  patchListingsById: { actor: 'seller' },
  deleteListingsById: { actor: 'seller', fresh: async (w) => ({ ids: { listing: (await post<{ id: string }>(w.users.seller!, '/v1/listings', lamp)).id } }) },
  // A photo of the lamp, drawn here: the document can show no example of an image's bytes.
  postListingsByIdImages: { actor: 'seller', raw: lampPhoto },
  // Removing a photo uses it up: a photo of its own.
  deleteListingsByIdImagesByImageId: { actor: 'seller', fresh: async (w) => ({ ids: { image: await uploadedPhoto(w) } }) },
  postListingsByIdBids: { actor: 'buyer' },
  getListingsByIdBids: { actor: 'none' },
  postListingsByIdOffers: { actor: 'buyer' },
  getListingsByIdOffers: { actor: 'seller' },
  // Answering an offer closes it: each answer gets a pending offer of its own.
  postOffersByIdAccept: { actor: 'seller', fresh: freshOffer },
  postOffersByIdDecline: { actor: 'seller', fresh: freshOffer },
  postOffersByIdCounter: { actor: 'seller', fresh: freshOffer },
  getOffersById: { actor: 'buyer' },
  getOffers: { actor: 'buyer' },
  putListingsByIdWatch: { actor: 'buyer' },
  deleteListingsByIdWatch: { actor: 'buyer' },
  getMeWatchlist: { actor: 'buyer' },
  getListingsByIdLive: { actor: 'none' },
  postCheckout: { actor: 'buyer' },
  getOrdersById: { actor: 'buyer' },
  getOrders: { actor: 'buyer' },
  // Each order command moves an order on: each gets an order of its own at the status it starts from.
  postOrdersByIdShip: { actor: 'seller', fresh: async (w) => ({ ids: { ...(await orderAt(w, 'paid')), trackingNumber: trackingNumber() } }) },
  postOrdersByIdAccept: { actor: 'buyer', fresh: async (w) => ({ ids: await orderAt(w, 'delivered') }) },
  postOrdersByIdCancel: { actor: 'seller', fresh: async (w) => ({ ids: await orderAt(w, 'paid') }) },
  postOrdersByIdDisputes: { actor: 'buyer', fresh: async (w) => ({ ids: await orderAt(w, 'delivered') }) },
  postOrdersByIdReviews: { actor: 'buyer', fresh: async (w) => ({ ids: await orderAt(w, 'completed') }) },
  postAdminDisputesByOrderIdResolve: { actor: 'admin', fresh: async (w) => ({ ids: await orderAt(w, 'disputed') }) },
  getMeBalance: { actor: 'seller' },
  getMePayouts: { actor: 'seller' },
  // A completed order makes the seller's money available to pay out; the sandbox verifies the seller first (KYC).
  postMePayouts: {
    actor: 'seller',
    fresh: async (w) => {
      await verified(w.users.seller!)
      return { ids: await orderAt(w, 'completed') }
    },
  },
  getAdminPayouts: { actor: 'admin' },
  // A user of their own: the world's seller is verified by the payout's plan.
  postMeVerification: { actor: 'buyer', fresh: async () => ({ user: await register('kyc') }) },
  getMeVerification: { actor: 'seller' },
  getAdminLedgerVerify: { actor: 'admin' },
  getAdminAudit: { actor: 'admin' },
  getAdminDisputes: { actor: 'admin' },
  getAdminCheckoutsByOrderId: { actor: 'admin' },
  getAdminUsersByIdNotificationSends: { actor: 'admin' },
  getAdminUsersById: { actor: 'admin' },
  // A user of its own: the example makes them support.
  putAdminUsersByIdRole: { actor: 'admin', fresh: async () => ({ ids: { buyer: (await register('role')).id } }) },
  // A verified seller of its own.
  putAdminUsersByIdPayoutAccount: {
    actor: 'admin',
    fresh: async () => {
      const seller = await register('connect')
      await verified(seller)
      return { ids: { seller: seller.id } }
    },
  },
  getAdminOrdersOverdue: { actor: 'admin' },
  // Reconciling a paid order asks the provider and changes nothing.
  postAdminOrdersByOrderIdReconcile: { actor: 'admin', fresh: async (w) => ({ ids: await orderAt(w, 'paid') }) },
  getAdminRefundsPending: { actor: 'admin' },
  getAdminSlo: { actor: 'admin' },
  postAdminOrdersByOrderIdRefundRetry: { actor: 'admin', fresh: async (w) => ({ ids: await refundRefused(w) }) },
  postAdminOrdersByOrderIdRefundSettled: { actor: 'admin', fresh: async (w) => ({ ids: await refundRefused(w) }) },
  getAdminRiskRules: { actor: 'admin' },
  // Saves the example's one rule as the next version (If-Match: the version a GET shows).
  putAdminRiskRules: { actor: 'admin' },
  getAdminRiskRulesVersions: { actor: 'admin' },
  getAdminRiskBlocklist: { actor: 'admin' },
  // The example's ranges are documentation ranges: the walk's own requests come from loopback.
  postAdminRiskBlocklist: { actor: 'admin' },
  getAdminRiskReviews: { actor: 'admin' },
  postAdminRiskReviewsByIdApprove: { actor: 'admin', fresh: async (w) => ({ ids: await heldOrder(w) }) },
  postAdminRiskReviewsByIdReject: { actor: 'admin', fresh: async (w) => ({ ids: await heldOrder(w) }) },
  getAdminAuditVerify: { actor: 'admin' },
  postWebhooksPayments: { actor: 'none', sign: { header: 'stripe-signature', secret: secrets.STRIPE_WEBHOOK_SECRET! } },
  // The example delivers the lamp's UPS shipment: a shipped order of its own.
  postWebhooksCarriersByCarrier: { actor: 'none', sign: { header: 'carrier-signature', secret: secrets.CARRIER_WEBHOOK_SECRET! }, fresh: async (w) => ({ ids: await orderAt(w, 'shipped') }) },
  postWebhookEndpoints: {
    actor: 'seller',
    // The example's host is on the internet; the receiver here listens on loopback, which development allows.
    adjust: (e) => void ((e.body as { url: string }).url = receiverUrl),
  },
  getWebhookEndpoints: { actor: 'seller' },
  getWebhookEndpointsById: { actor: 'seller' },
  patchWebhookEndpointsById: { actor: 'seller' },
  deleteWebhookEndpointsById: { actor: 'seller', fresh: async (w) => ({ ids: { webhookEndpoint: (await post<{ id: string }>(w.users.seller!, '/v1/webhook-endpoints', { url: receiverUrl, events: ['*'] })).id } }) },
  postWebhookEndpointsByIdRotateSecret: { actor: 'seller' },
  postWebhookEndpointsByIdTest: { actor: 'seller' },
  getWebhookEndpointsByIdDeliveries: { actor: 'seller' },
  postWebhookEndpointsByIdDeliveriesByDeliveryIdRetry: { actor: 'seller' },
  getAdminDeadLetters: { actor: 'admin' },
  getAdminAlerts: { actor: 'admin' },
  postAdminDeadLettersByIdReplay: { actor: 'admin', world: 'ops' },
  // The example starts from scratch, which would empty the shared world's search while the walk
  // goes on; a plain rebuild answers the same 202 and the same schema.
  postAdminReadModelRebuild: { actor: 'admin', adjust: (e) => void ((e.body as { fromScratch: boolean }).fromScratch = false) },
  getAdminReadModelRebuildsById: { actor: 'admin' },
  getDevBindingCounts: { actor: 'none', world: 'ops' },
  getMeNotifications: { actor: 'seller' },
  postMeNotificationsByIdRead: { actor: 'seller' },
  getMeNotificationPreferences: { actor: 'buyer' },
  putMeNotificationPreferences: { actor: 'buyer' },
  getDevOutbox: { actor: 'buyer' },
  getMePhone: { actor: 'buyer' },
  putMePhone: { actor: 'buyer' },
  // Users of their own, each with a number waiting for its code (one code a minute per user).
  deleteMePhone: { actor: 'buyer', fresh: async () => ({ user: await userWithPendingPhone() }) },
  postMePhoneVerify: {
    actor: 'buyer',
    fresh: async () => ({ user: await userWithPendingPhone() }),
    // The example's code is not the one texted; the development outbox holds that.
    adjust: async (e, caller) => void ((e.body as { code: string }).code = await codeTextedTo(caller!)),
  },
  getMePushSubscriptions: { actor: 'buyer' },
  postMePushSubscriptions: { actor: 'buyer' },
  deleteMePushSubscriptionsById: { actor: 'buyer' },
  postMeLiveTickets: { actor: 'buyer' },
  getMeLive: { actor: 'buyer' },
  // Polls in this world are triggered by a cancellation, which few of the walk's orders see: a poll on order.completed would ask every later buyer.
  postAdminPolls: { actor: 'admin', adjust: (e) => void Object.assign(e.body as object, { trigger: 'order.cancelled' }) },
  getAdminPolls: { actor: 'admin' },
  getAdminPollsByIdResults: { actor: 'admin', fresh: async (w) => ({ ids: { poll: (await cancellationPoll(w)).id } }) },
  getMePolls: { actor: 'buyer' },
  getMeRatings: { actor: 'seller' },
  postPollsByIdAnswers: { actor: 'buyer', fresh: pollPutToAFreshBuyer },
}

/** A poll staff put to the buyer of every cancelled order. */
const cancellationPoll = (w: World) => post<{ id: string }>(w.users.admin!, '/v1/admin/polls', { question: 'How was buying from {subject}?', trigger: 'order.cancelled', audience: 'buyer' })

/** A buyer of their own whose order the seller cancelled: the poll waits for their answer. */
async function pollPutToAFreshBuyer(w: World): Promise<{ ids: Ids; user: User }> {
  const poll = await cancellationPoll(w)
  const buyer = await register('poll-buyer')
  const shipTo = { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' }
  const order = await post<{ id: string }>(buyer, '/v1/checkout', { items: [{ listingId: w.ids.listing, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: shipTo }, { 'Idempotency-Key': randomUUID() })
  await post(w.users.seller!, `/v1/orders/${order.id}/cancel`)
  const waiting = await eventually(() => ok<{ data: { pollId: string; deliveryId: string }[] }>(send(baseUrl(), '/v1/me/polls', { user: buyer })), (p) => p.data.some((d) => d.pollId === poll.id))
  return { ids: { poll: poll.id, pollDelivery: waiting.data.find((d) => d.pollId === poll.id)!.deliveryId }, user: buyer }
}

async function codeTextedTo(user: User): Promise<string> {
  const outbox = await ok<{ data: { channel: string; body: string }[] }>(send(baseUrl(), '/v1/dev/outbox', { user }))
  const code = /\b(\d{6})\b/.exec(outbox.data.find((m) => m.channel === 'sms')?.body ?? '')?.[1]
  if (!code) throw new Error(`no code in ${user.id}'s outbox: ${JSON.stringify(outbox)}`)
  return code
}

// ---- Reading the document ----

const methods = ['get', 'put', 'post', 'patch', 'delete'] as const
type Found = { path: string; method: (typeof methods)[number]; op: Operation }

function operationsOf(doc: Doc): Found[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => methods.filter((m) => item[m]).map((method) => ({ path, method, op: item[method]! })))
}

const resolve = (doc: Doc, schema: Schema | undefined): Schema | undefined =>
  typeof schema?.$ref === 'string' ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema

const exampleOfParameter = (p: Parameter): unknown => p.example ?? p.schema?.example

/** The operation's example request; fails naming whatever the document leaves without an example. */
function exampleOf(doc: Doc, { path, method, op }: Found): Example {
  const missing: string[] = []
  const pick = (where: string) =>
    Object.fromEntries(
      (op.parameters ?? [])
        .filter((p) => p.in === where)
        .flatMap((p) => {
          const value = exampleOfParameter(p)
          if (value === undefined && (p.required || where === 'path')) missing.push(`${where} parameter ${p.name}`)
          return value === undefined ? [] : [[p.name, value]]
        }),
    )
  const example: Example = { params: pick('path'), query: pick('query') }
  if (op.requestBody) {
    // A body that is not JSON (a photo's bytes) has no example here: its plan's `raw` makes one.
    const media = op.requestBody.content['application/json']
    example.body = media?.example ?? resolve(doc, media?.schema)?.example
    if (media && example.body === undefined) missing.push('request body')
  }
  if (missing.length) throw new Error(`${op.operationId} (${method.toUpperCase()} ${path}) has no example for its ${missing.join(', ')}`)
  return example
}

const idLike = /^[a-z]{3}_[0-9a-z]{26}$/
const canonical = new Set<string>(Object.values(exampleIds))

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(stringsIn)
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn)
  return []
}

/** The example with each canonical id replaced by the world's thing of that kind; fails on ids that are not canonical, or have no real counterpart here. */
function withRealIds(example: Example, ids: Ids): Example {
  const strangers = stringsIn(example).filter((s) => idLike.test(s) && !canonical.has(s))
  if (strangers.length) throw new Error(`examples use ids that are not in src/http/openapi-example-ids.ts: ${strangers.join(', ')}`)
  const real = new Map<string, string>(Object.entries(ids).map(([kind, id]) => [exampleIds[kind as IdKind], id]))
  const swapped = JSON.parse(JSON.stringify(example), (_key, v: unknown) => (typeof v === 'string' ? (real.get(v) ?? v) : v)) as Example
  const unmatched = stringsIn(swapped).filter((s) => canonical.has(s))
  if (unmatched.length) throw new Error(`no real thing here for the example ids ${unmatched.join(', ')}: make one in the world or in the operation's plan`)
  return swapped
}

function validatorFor(doc: Doc) {
  const ajv = new Ajv2020({ strict: false })
  addFormats(ajv)
  return (schema: Schema, value: unknown): string | null => {
    const validate = ajv.compile({ ...schema, components: doc.components })
    return validate(value) ? null : ajv.errorsText(validate.errors)
  }
}

// ---- Sending ----

/** Opens a WebSocket and answers the status of the handshake: 101 when it upgraded. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(url, { headers })
    ws.once('upgrade', (res) => {
      ws.once('open', () => ws.close())
      done(res.statusCode ?? 0)
    })
    ws.once('unexpected-response', (req, res) => {
      req.destroy()
      done(res.statusCode ?? 0)
    })
    ws.once('error', fail)
  })
}

function urlOf(base: string, path: string, example: Example): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(example.params[name])))
  const query = new URLSearchParams(Object.entries(example.query).map(([k, v]): [string, string] => [k, String(v)]))
  return `${base}${filled}${query.size ? `?${query.toString()}` : ''}`
}

/** The headers the operation documents as needed: a fresh Idempotency-Key where required, and If-Match with the ETag a GET of the same URL gives. */
async function requiredHeaders(op: Operation, url: string, auth: Record<string, string>): Promise<Record<string, string>> {
  const named = (name: string) => (op.parameters ?? []).find((p) => p.in === 'header' && p.name.toLowerCase() === name)
  const headers: Record<string, string> = {}
  if (named('idempotency-key')?.required) headers['idempotency-key'] = randomUUID()
  if (named('if-match')) {
    const res = await fetch(url, { headers: auth })
    const tag = res.headers.get('etag')
    if (!tag) throw new Error(`GET ${url} gave no ETag to send in If-Match (${res.status})`)
    headers['if-match'] = tag
  }
  return headers
}

let receiver: Server
let receiverUrl = ''
let world: World
let ops: Awaited<ReturnType<typeof opsWorld>>

const doc = await ok<Doc>(fetch(`${baseUrl()}/v1/openapi.json`))
const check = validatorFor(doc)

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(204).end())
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`
  // One after the other: starting a worker runs wrangler's D1 commands synchronously, and a
  // process blocked for seconds would send the world's requests on connections the worker closed meanwhile.
  ops = await opsWorld()
  world = await buildWorld(receiverUrl)
}, 120_000)

afterAll(async () => {
  await ops?.stop()
  await new Promise<void>((resolve) => receiver?.close(() => resolve()))
})

describe('every operation in GET /v1/openapi.json, sent as its examples describe it', () => {
  it('plans only operations the document has', () => {
    const ids = new Set(operationsOf(doc).map((o) => o.op.operationId))
    expect(Object.keys(plans).filter((id) => !ids.has(id))).toEqual([])
  })

  it.for(operationsOf(doc).map((found) => ({ name: `${found.op.operationId}: ${found.method.toUpperCase()} ${found.path}`, found })))('$name', async ({ found }) => {
    const { path, method, op } = found
    const plan = plans[op.operationId]
    if (!plan) throw new Error(`${op.operationId} (${method.toUpperCase()} ${path}) is not in plans: say who calls it, and what it needs made fresh`)
    expect(plan.actor !== 'none', `${op.operationId}: its plan's actor and the document's security disagree`).toBe((op.security ?? []).length > 0)

    const w = plan.world === 'ops' ? ops : world
    const fresh = (await plan.fresh?.(w)) ?? {}
    const caller = fresh.user ?? (plan.actor === 'none' ? undefined : w.users[plan.actor])
    const example = withRealIds(exampleOf(doc, found), { ...w.ids, ...fresh.ids })
    await plan.adjust?.(example, caller)

    const url = urlOf(w.url, path, example)
    const headers: Record<string, string> = caller ? { authorization: `Bearer ${caller.token}` } : {}
    const documented = Object.keys(op.responses).filter((s) => /^(2\d\d|101)$/.test(s))
    if (documented.includes('101')) {
      expect(await upgradeStatus(url.replace(/^http/, 'ws'), headers), op.operationId).toBe(101)
      return
    }
    const body = example.body === undefined ? undefined : JSON.stringify(example.body)
    Object.assign(headers, await requiredHeaders(op, url, headers), plan.headers?.(caller), body === undefined ? {} : { 'content-type': 'application/json' })
    if (plan.sign && body !== undefined) headers[plan.sign.header] = await signature(plan.sign.secret, body)
    const rawTypes = Object.keys(op.requestBody?.content ?? {}).filter((t) => t !== 'application/json')
    if (rawTypes.length > 0 && body === undefined && !plan.raw) throw new Error(`${op.operationId} takes ${rawTypes.join(', ')}: its plan's raw must make such a body`)
    const raw = plan.raw?.()
    if (raw) {
      expect(rawTypes, `${op.operationId}: the plan's raw body is of a type the document lists`).toContain(raw.type)
      headers['content-type'] = raw.type
    }

    const res = await fetch(url, { method: method.toUpperCase(), headers, body: raw?.body ?? body })
    const text = await res.text()
    expect(documented, `${op.operationId} answered ${res.status}: ${text}`).toContain(String(res.status))
    const schema = op.responses[String(res.status)]?.content?.['application/json']?.schema
    if (schema) expect(check(schema, JSON.parse(text)), `${op.operationId}'s ${res.status} body: ${text}`).toBeNull()
  })
})
