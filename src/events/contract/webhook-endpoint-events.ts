import { z } from 'zod'

/**
 * What a webhook endpoint says happened. `webhook_endpoint.disabled`: Souk stopped sending to it
 * after it kept failing (its owner is told). An endpoint is disabled at most once (it is registered
 * again as a new one), so its one event has `seq` 1.
 */
export const WebhookEndpointDisabledData = z.object({
  endpointId: z.string().min(1),
  ownerId: z.string().min(1),
  url: z.string().min(1),
  reason: z.string(),
})

export const webhookEndpointEventTypes = ['webhook_endpoint.disabled'] as const
export type WebhookEndpointEvent = { type: 'webhook_endpoint.disabled'; data: z.infer<typeof WebhookEndpointDisabledData> }
