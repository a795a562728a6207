import { z } from '@hono/zod-openapi'
import { PageQuery, pageOf } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { subscriptions } from '../events/event-subscriptions'
import { eventFilters } from './event-audience'

/** Request and response shapes of the webhook endpoint routes (docs/WEBHOOKS.md "Endpoints"). */
const EventFilter = z.enum(eventFilters(subscriptions.webhooks.types)).openapi({ description: 'An event type an endpoint can receive, every type under a prefix (`order.*`), or `*` for all' })

const exampleUrl = 'https://shop.example.com/hooks/souk'

export const CreateEndpointBody = z
  .strictObject({
    url: z.string().max(2048),
    events: z.array(EventFilter).min(1).max(50),
  })
  .openapi('CreateWebhookEndpointRequest', { example: { url: exampleUrl, events: ['order.*', 'offer.created'] } })

export const UpdateEndpointBody = z
  .strictObject({
    url: z.string().max(2048).optional(),
    events: z.array(EventFilter).min(1).max(50).optional(),
    enabled: z.boolean().optional().openapi({ description: 'false pauses deliveries; true resumes them (also after Souk disabled the endpoint)' }),
  })
  .refine((b) => b.url !== undefined || b.events !== undefined || b.enabled !== undefined, 'give at least one of url, events, enabled')
  .openapi('UpdateWebhookEndpointRequest', { example: { events: ['order.*', 'offer.*'] } })

export const IfMatchHeader = z.object({ 'if-match': z.string().max(64).optional().openapi({ description: 'The ETag you read' }) })

export const EndpointIdParam = z.object({
  id: z.string().regex(/^whe_[0-9a-z]{26}$/, 'must be a webhook endpoint id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.webhookEndpoint }),
})
export const DeliveryParams = EndpointIdParam.extend({
  deliveryId: z.string().regex(/^msg_[0-9a-z]{26}$/, 'must be a delivery id').openapi({ param: { name: 'deliveryId', in: 'path' }, example: exampleIds.webhookDelivery }),
})

const exampleEndpoint = { id: exampleIds.webhookEndpoint, url: exampleUrl, events: ['order.*', 'offer.created'], status: 'active', disabledReason: null, version: 1, createdAt: '2026-03-14T12:00:00.000Z' }
const exampleSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

export const EndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    disabledReason: z.string().nullable(),
    version: z.number().int().openapi({ description: 'Also the strong ETag; PATCH needs it in If-Match' }),
    createdAt: z.string(),
  })
  .openapi('WebhookEndpoint', { example: exampleEndpoint })

export const CreatedEndpointSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: 'whsec_ + base64: verify webhook-signature with it (shown once)' }),
}).openapi('CreatedWebhookEndpoint', { example: { ...exampleEndpoint, secret: exampleSecret } })

export const RotatedSecretSchema = z
  .object({
    secret: z.string().openapi({ description: 'The new whsec_ secret (shown once); deliveries are signed with it from now on' }),
    previousSecretExpiresAt: z.string().openapi({ description: 'Until then deliveries are also signed with the secret it replaced (24 h)' }),
  })
  .openapi('RotatedWebhookSecret', { example: { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', previousSecretExpiresAt: '2026-03-15T12:30:00.000Z' } })

/** The order.paid event of Ada's order, delivered on the second attempt. */
const exampleDelivery = {
  id: exampleIds.webhookDelivery,
  type: 'order.paid',
  status: 'delivered',
  attempts: [
    { attempt: 1, at: '2026-03-16T10:04:02.000Z', statusCode: 503, durationMs: 212, error: null },
    { attempt: 2, at: '2026-03-16T10:04:07.000Z', statusCode: 204, durationMs: 87, error: null },
  ],
  createdAt: '2026-03-16T10:04:01.000Z',
  deliveredAt: '2026-03-16T10:04:07.000Z',
}

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'The webhook-id header, the same on every attempt' }),
    type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.array(z.object({ attempt: z.number().int(), at: z.string(), statusCode: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable() })),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery', { example: { ...exampleDelivery, status: 'pending', deliveredAt: null } })

/** What POST …/test queues: a delivery of its own, not yet tried. */
export const exampleTestDelivery = { id: 'msg_01jd6h4k6m8p0r2t4v6x8z0b2d', type: 'webhook.test', status: 'pending', attempts: [], createdAt: '2026-03-16T11:00:00.000Z', deliveredAt: null }

export const DeliveryPage = pageOf(DeliverySchema).openapi('WebhookDeliveryPage', { example: { data: [exampleDelivery], nextCursor: null } })
export const DeliveriesQuery = PageQuery
export const EndpointsQuery = PageQuery
export const EndpointPage = pageOf(EndpointSchema).openapi('WebhookEndpointPage', { example: { data: [exampleEndpoint], nextCursor: null } })
