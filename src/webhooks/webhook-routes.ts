import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { reconcileOrder } from '../orders/payment-reconciliation'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { portsOf } from '../orders/order-adapters'
import { applyTrackingEvent } from '../orders/order-commands'
import { systemClock } from '../platform/runtime'
import { applyIdentityEvent, isIdentityEvent } from '../kyc/identity-adapters'
import { verifySignedPayload } from './signed-payload'
import { alreadyReceived, recordReceipt } from './webhook-receipt-store'

/**
 * Inbound webhooks: the payment provider's events (Stripe's: payments, and Stripe Identity's
 * verification sessions, on the one endpoint Stripe signs with one secret) and carriers' tracking. Both are signed
 * (`t=…,v1=…`, HMAC-SHA256 over "t.body", 5-minute tolerance) and applied once per event id.
 * Applying is idempotent in itself; the receipt only saves repeating the work.
 */
const received = z.object({ received: z.boolean(), duplicate: z.boolean() }).openapi('WebhookReceipt', { example: { received: true, duplicate: false } })
const ok = { 200: { description: 'Applied (or already applied)', content: { 'application/json': { schema: received } } } }

/**
 * The bodies are documented by reference, not given to the route as zod schemas: the route must
 * verify the signature over the raw bytes before anything parses them (the handlers do both).
 */
const signedJson = (component: string, description: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${component}` } } },
})

const StripeEvent = z
  .object({
    id: z.string().min(1),
    type: z.string(),
    data: z.object({ object: z.object({ metadata: z.record(z.string(), z.string()).optional() }).loose() }),
  })
  .openapi('PaymentProviderEvent', {
    description:
      'A Stripe event; Souk reads its id and type. A `payment_intent.*` or `charge.*` event: `metadata.order_id`, then it asks the provider where the payment stands. An `identity.verification_session.*` event (`verified`, `requires_input`, `canceled`): the session’s id and `metadata.user_id`, whose current verification it ends',
    example: {
      id: 'evt_3PqR7sLkdIwHu7ix0a1b2c3d',
      object: 'event',
      type: 'payment_intent.succeeded',
      created: 1773655441,
      data: { object: { id: 'pi_3PqR7sLkdIwHu7ix1e2f3g4h', object: 'payment_intent', amount: 4500, currency: 'eur', status: 'succeeded', metadata: { order_id: exampleIds.order } } },
    },
  })

const paymentsRoute = createRoute({
  method: 'post',
  path: '/webhooks/payments',
  tags: ['Webhooks'],
  summary: 'Stripe’s events: payments, and identity verification sessions (Stripe-Signature verified); 404 for a session whose start is not recorded yet, so Stripe sends it again',
  request: { body: signedJson('PaymentProviderEvent', 'The event as Stripe sends it, signed in `Stripe-Signature`') },
  responses: { ...ok, 400: problems[400], 401: problems[401], 404: problems[404] },
})

const CarrierParam = z.object({ carrier: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/).openapi({ param: { name: 'carrier', in: 'path' }, example: 'ups' }) })
const TrackingEventBody = z
  .strictObject({
    id: z.string().min(1).max(200),
    trackingNumber: z.string().regex(/^[A-Za-z0-9-]{4,64}$/),
    status: z.enum(['in_transit', 'delivered', 'exception']),
    occurredAt: z.iso.datetime(),
  })
  .openapi('CarrierTrackingEvent', { example: { id: 'ups-evt-7f3a9c21', trackingNumber: exampleIds.trackingNumber, status: 'delivered', occurredAt: '2026-03-18T14:22:00Z' } })

const carriersRoute = createRoute({
  method: 'post',
  path: '/webhooks/carriers/{carrier}',
  tags: ['Webhooks'],
  summary: 'A carrier’s tracking event (Carrier-Signature verified): in_transit, delivered, exception',
  request: { params: CarrierParam, body: signedJson('CarrierTrackingEvent', 'The event, signed in `Carrier-Signature` as payment events are') },
  responses: { ...ok, 400: problems[400], 401: problems[401], 404: problems[404] },
})

async function signedBody(c: Context<AppEnv>, secret: string, header: string): Promise<string> {
  const body = await c.req.text()
  const check = secret ? await verifySignedPayload(secret, c.req.header(header), body, Math.floor(systemClock().getTime() / 1000)) : { ok: false as const, reason: 'mismatch' }
  if (!check.ok) throw new Problem(401, 'invalid_signature', `The ${header} header does not verify (${check.reason})`)
  return body
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    throw new Problem(400, 'malformed_json')
  }
}

export const webhookRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(paymentsRoute, async (c) => {
    const p = portsOf(c)
    const body = await signedBody(c, c.var.settings.gateway.stripe.webhookSecret, 'stripe-signature')
    const event = StripeEvent.safeParse(parseJson(body))
    if (!event.success) throw new Problem(400, 'validation_failed', 'Not a Stripe event')
    if (await alreadyReceived(database(c.env.DB), 'stripe', event.data.id)) return c.json({ received: true, duplicate: true }, 200)
    const orderId = event.data.data.object.metadata?.order_id
    if (isIdentityEvent(event.data.type)) {
      // A signed outcome of the seller's current session; verification.ts makes repeats and late ones harmless.
      if ((await applyIdentityEvent(c.env, c.var.log, event.data, p.now().toISOString())) === 'unknown') throw new Problem(404, 'not_found', 'No verification is recorded for that session yet')
    }
    // Whatever the event says, the provider's current record decides: reconciliation asks it.
    else if (orderId && (event.data.type.startsWith('payment_intent.') || event.data.type.startsWith('charge.'))) await reconcileOrder(p, orderId, 0)
    await recordReceipt(database(c.env.DB), 'stripe', event.data.id, p.now().toISOString())
    return c.json({ received: true, duplicate: false }, 200)
  })
  .openapi(carriersRoute, async (c) => {
    const { carrier } = c.req.valid('param')
    const p = portsOf(c)
    if (carrier === 'sandbox' && !p.settings.sandboxCarrier) throw new Problem(404, 'not_found')
    const body = await signedBody(c, c.var.settings.carrierWebhookSecret, 'carrier-signature')
    const parsed = TrackingEventBody.safeParse(parseJson(body))
    if (!parsed.success) throw new Problem(400, 'validation_failed', 'Not a tracking event')
    const provider = `carrier:${carrier}`
    if (await alreadyReceived(database(c.env.DB), provider, parsed.data.id)) return c.json({ received: true, duplicate: true }, 200)
    const applied = await applyTrackingEvent(p, carrier, parsed.data)
    // Unknown shipment: 404, so the carrier retries (the seller's ship call may still be on its way).
    if (!applied.ok) throw new Problem(404, 'not_found', `No shipment ${parsed.data.trackingNumber} with ${carrier}`)
    await recordReceipt(database(c.env.DB), provider, parsed.data.id, p.now().toISOString())
    return c.json({ received: true, duplicate: false }, 200)
  })

// The bodies' schemas, which the routes name by reference only.
webhookRoutes.openAPIRegistry.register('PaymentProviderEvent', StripeEvent)
webhookRoutes.openAPIRegistry.register('CarrierTrackingEvent', TrackingEventBody)
