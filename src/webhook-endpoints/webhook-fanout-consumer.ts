import type { EventEnvelope } from '../events/event-envelope'
import type { EventHandlers } from '../events/events-consumer'
import { listingEventTypes } from '../listings/listing-events'
import { orderEventTypes } from '../orders/order-event'
import { newId, systemClock } from '../platform/runtime'
import { eventAudience, matchesFilter, webhookPayload } from './event-audience'
import { activeEndpointsOf } from './webhook-endpoint-store'
import { openMessages } from './webhook-message-store'

/**
 * From the events queue to the webhooks queue: each event becomes one message per endpoint that
 * may see it (its owner is a party to it) and asked for its type. A redelivered event finds its
 * messages made (unique per endpoint and event) and only re-sends those never attempted, so a
 * failure between the two steps loses nothing and a repeat delivers nothing twice.
 */
export async function fanOutToWebhooks(event: EventEnvelope, env: Env): Promise<void> {
  const endpoints = (await activeEndpointsOf(env.DB, eventAudience(event))).filter((e) => matchesFilter(e.events, event.type))
  const payload = JSON.stringify(webhookPayload(event))
  const at = systemClock().toISOString()
  const waiting = await openMessages(
    env.DB,
    event.id,
    endpoints.map((e) => ({ id: newId('msg'), endpointId: e.id, type: event.type, payload, createdAt: at })),
  )
  for (let i = 0; i < waiting.length; i += 100) {
    await env.WEBHOOKS.sendBatch(waiting.slice(i, i + 100).map((messageId) => ({ body: { messageId }, contentType: 'json' as const })))
  }
}

export const webhookFanoutHandlers: EventHandlers = Object.fromEntries([...listingEventTypes, ...orderEventTypes].map((t) => [t, fanOutToWebhooks]))
