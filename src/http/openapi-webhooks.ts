import { z } from 'zod'
import { ListingEventSchema } from '../events/contract/listing-events'
import { OrderEventData, orderEventTypes } from '../events/contract/order-events'
import { ListingSchema } from '../listings/listing-schemas'

/**
 * The `webhooks` section of the OpenAPI document: one operation per event type a webhook endpoint
 * can receive, its body the payload `webhookPayload` (webhook-endpoints/event-audience.ts) sends,
 * generated from the event contract's zod schemas: `{ type, timestamp, data }`, `data` being the
 * event's public data (a listing's events also carry the listing after them, as `Listing`) with
 * `eventId`, `aggregateId` and `seq`. `private` is not in the contract's public data, so it is not
 * here either. Objects stay open: a receiver should ignore fields it does not know.
 *
 * @example
 * webhookOperations(['order.paid'])['order.paid'].post.requestBody.content['application/json'].schema
 * // { type: 'object', properties: { type: { const: 'order.paid', … }, timestamp, data }, … }
 */
export function webhookOperations(types: Iterable<string>): Record<string, { post: WebhookOperation }> {
  return Object.fromEntries([...types].sort().map((type) => [type, { post: webhookOperation(type, payloadSchema(type)) }]))
}

type WebhookOperation = ReturnType<typeof webhookOperation>

/** Standard Webhooks signing headers (standardwebhooks.com), sent with every delivery. */
const signatureHeaders = [
  { name: 'webhook-id', description: 'The message id; the same on every retry of one delivery, so a receiver can drop repeats', schema: { type: 'string' } },
  { name: 'webhook-timestamp', description: 'When this attempt was signed, in Unix seconds; refuse ones far from now', schema: { type: 'string', pattern: '^[0-9]+$' } },
  {
    name: 'webhook-signature',
    description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures of `<webhook-id>.<webhook-timestamp>.<body>` with the endpoint’s secret',
    schema: { type: 'string' },
  },
].map((h) => ({ ...h, in: 'header', required: true }))

const ids = { eventId: z.string(), aggregateId: z.string(), seq: z.number().int().min(1) }

function payloadSchema(type: string): z.ZodType {
  const listingEvent = ListingEventSchema.options.find((o) => o.shape.type.value === type)
  if (!listingEvent && !(orderEventTypes as readonly string[]).includes(type)) throw new Error(`No webhook payload is declared for "${type}"`)
  const data = listingEvent ? listingEvent.shape.data.extend({ listing: ListingSchema, ...ids }) : OrderEventData.extend(ids)
  return z.object({ type: z.literal(type), timestamp: z.string().describe('When the event happened (ISO 8601)'), data })
}

function webhookOperation(type: string, payload: z.ZodType) {
  const { $schema: _, ...schema } = z.toJSONSchema(payload, {
    target: 'draft-2020-12',
    io: 'input',
    // The listing snapshot is the API's own Listing: refer to it rather than repeat it per event.
    override: (ctx) => {
      if (ctx.zodSchema !== ListingSchema) return
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key]
      Object.assign(ctx.jsonSchema, { $ref: '#/components/schemas/Listing' })
    },
  })
  return {
    operationId: `webhook${type.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`,
    summary: `\`${type}\``,
    description: 'POSTed to each endpoint of the seller (listing events) or of the buyer and seller (order events) whose filter takes this type; any answer but a 2xx within the delivery timeout is retried with backoff.',
    tags: ['Webhooks'],
    parameters: signatureHeaders,
    requestBody: { required: true, content: { 'application/json': { schema } } },
    responses: { '2XX': { description: 'Received; any other answer (or none) is retried' } },
  }
}
