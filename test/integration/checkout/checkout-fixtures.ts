import { env } from 'cloudflare:workers'
import type { CreateListing } from '../../../src/listings/listing-lifecycle'
import { listingStub } from '../../../src/listings/listing-object'
import type { SandboxCharge } from '../../../src/payments/sandbox-gateway-object'
import { sandboxCharges as allSandboxCharges, sandboxStub } from '../../../src/payments/sandbox-gateway-client'
import { call, json, register, type Json, type Registered } from '../support/api'
import { newListingId } from '../listings/fixtures'

/** Checkout fixtures: real users, listings owned by a real seller, and the sandbox's own record. */
export const ADDRESS = { name: 'Ada Buyer', line1: '1 Market St', city: 'Springfield', postalCode: '12345', country: 'US' }

export async function fixedListing(seller: Registered, opts: { quantity?: number; price?: number; currency?: 'USD' | 'EUR'; acceptsOffers?: boolean } = {}) {
  const id = newListingId()
  const cmd: CreateListing = {
    id,
    sellerId: seller.user.id,
    title: 'Hand-thrown mug',
    description: 'Stoneware',
    category: 'kitchen',
    format: 'fixed_price',
    currency: opts.currency ?? 'USD',
    acceptsOffers: opts.acceptsOffers ?? false,
    fixed: { price: opts.price ?? 2500, quantity: opts.quantity ?? 1 },
  }
  const outcome = await listingStub(env, id).create(cmd)
  if (!outcome.ok) throw new Error(`listing fixture refused: ${JSON.stringify(outcome.rejection)}`)
  return { id, stub: listingStub(env, id) }
}

export type CheckoutBody = { items: { listingId: string; quantity: number }[]; paymentMethod: string; shippingAddress: typeof ADDRESS }

export const checkoutBody = (listingId: string, paymentMethod = 'pm_card_visa', quantity = 1): CheckoutBody => ({ items: [{ listingId, quantity }], paymentMethod, shippingAddress: ADDRESS })

/** `POST /v1/checkout` of one unit of `listingId` by the holder of `token`, under `key`: for driving an app directly. */
export const checkoutRequest = (token: string, listingId: string, key: string): Request =>
  new Request('https://souk.test/v1/checkout', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(checkoutBody(listingId)),
  })

export function checkout(buyer: Registered, body: CheckoutBody, key: string = crypto.randomUUID(), headers: Record<string, string> = {}): Promise<Response> {
  return call('/v1/checkout', { method: 'POST', token: buyer.token, json: body, headers: { 'Idempotency-Key': key, ...headers } })
}

export async function order(token: string, id: string): Promise<Json & { status: string; history: { status: string }[] }> {
  const res = await call(`/v1/orders/${id}`, { token })
  if (res.status !== 200) throw new Error(`order ${id}: ${res.status} ${await res.text()}`)
  return json(res)
}

export const sandboxCharges = (): Promise<SandboxCharge[]> => allSandboxCharges(env)

export async function chargeOf(orderId: string): Promise<SandboxCharge | null> {
  return sandboxStub(env, orderId).retrieve(orderId)
}

export { register }

/** Polls until `check` holds (queues and alarms run on their own time) or fails after `ms`. */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await read()
    if (check(v)) return v
    if (Date.now() > until) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
