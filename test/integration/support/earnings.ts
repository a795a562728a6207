import { env } from 'cloudflare:workers'
import { settingsOf } from '../../../src/config'
import { signPayload } from '../../../src/webhooks/signed-payload'
import { checkout, checkoutBody, fixedListing } from '../checkout/checkout-fixtures'
import { call, json, register, type Registered } from './api'
import { verifySeller } from './kyc'

/** A verified seller with `price` less the 10% fee available: a sale paid, shipped, delivered (signed carrier event) and accepted. */
export async function sellerWithEarnings(price = 10_000): Promise<Registered> {
  const seller = await register('payee')
  const buyer = await register('payer')
  const listing = await fixedListing(seller, { price })
  const res = await checkout(buyer, checkoutBody(listing.id))
  const { id } = await json<{ id: string }>(res)
  const tracking = `UPS-${id.slice(-12)}`
  await call(`/v1/orders/${id}/ship`, { method: 'POST', token: seller.token, json: { carrier: 'ups', trackingNumber: tracking } })
  const body = JSON.stringify({ id: `evt-${id}`, trackingNumber: tracking, status: 'delivered', occurredAt: new Date().toISOString() })
  const signature = await signPayload(settingsOf(env).carrierWebhookSecret, body, Math.floor(Date.now() / 1000))
  await call('/v1/webhooks/carriers/ups', { method: 'POST', headers: { 'content-type': 'application/json', 'carrier-signature': signature }, body })
  const accepted = await call(`/v1/orders/${id}/accept`, { method: 'POST', token: buyer.token })
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${await accepted.text()}`)
  await verifySeller(seller)
  return seller
}

