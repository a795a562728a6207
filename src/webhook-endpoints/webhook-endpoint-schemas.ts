import { z } from '@hono/zod-openapi'
import { PageQuery, pageOf } from '../http/common-schemas'

/** Request and response shapes of the webhook endpoint routes (docs/WEBHOOKS.md "Endpoints"). */
const EventFilter = z
  .string()
  .regex(/^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/, 'must be an event type, a prefix like order.*, or *')
  .max(100)

export const CreateEndpointBody = z
  .strictObject({
    url: z.string().max(2048),
    events: z.array(EventFilter).min(1).max(50),
  })
  .openapi('CreateWebhookEndpointRequest')

export const UpdateEndpointBody = z
  .strictObject({
    url: z.string().max(2048).optional(),
    events: z.array(EventFilter).min(1).max(50).optional(),
    enabled: z.boolean().optional().openapi({ description: 'false pauses deliveries; true resumes them (also after Souk disabled the endpoint)' }),
  })
  .refine((b) => b.url !== undefined || b.events !== undefined || b.enabled !== undefined, 'give at least one of url, events, enabled')
  .openapi('UpdateWebhookEndpointRequest')

export const IfMatchHeader = z.object({ 'if-match': z.string().max(64).optional().openapi({ description: 'The ETag you read' }) })

export const EndpointIdParam = z.object({ id: z.string().regex(/^whe_[0-9a-z]{26}$/, 'must be a webhook endpoint id').openapi({ param: { name: 'id', in: 'path' } }) })
export const DeliveryParams = EndpointIdParam.extend({
  deliveryId: z.string().regex(/^msg_[0-9a-z]{26}$/, 'must be a delivery id').openapi({ param: { name: 'deliveryId', in: 'path' } }),
})

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
  .openapi('WebhookEndpoint')

export const CreatedEndpointSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: 'whsec_ + base64: verify webhook-signature with it (shown once)' }),
}).openapi('CreatedWebhookEndpoint')

export const RotatedSecretSchema = z
  .object({
    secret: z.string().openapi({ description: 'The new whsec_ secret (shown once); deliveries are signed with it from now on' }),
    previousSecretExpiresAt: z.string().openapi({ description: 'Until then deliveries are also signed with the secret it replaced (24 h)' }),
  })
  .openapi('RotatedWebhookSecret')

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'The webhook-id header, the same on every attempt' }),
    type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.array(z.object({ attempt: z.number().int(), at: z.string(), statusCode: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable() })),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery')

export const DeliveryPage = pageOf(DeliverySchema).openapi('WebhookDeliveryPage')
export const DeliveriesQuery = PageQuery
export const EndpointsQuery = PageQuery
export const EndpointPage = pageOf(EndpointSchema).openapi('WebhookEndpointPage')
