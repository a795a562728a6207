import type { SoukEvent } from '../events/contract/souk-event'
import { newId, systemClock } from '../platform/runtime'
import { eventAudience, matchesFilter, webhookPayload } from './event-audience'
import { activeEndpointsOf } from './webhook-endpoint-store'
import { openMessages } from './webhook-message-store'

/**
 * The `webhooks` consumer, from its events queue to the deliveries queue (`souk-webhooks`): each
 * event becomes one message per endpoint that may see it (its owner is a party to it) and asked for its type. A redelivered event finds its
 * messages made (unique per endpoint and event) and only re-sends those never attempted, so a
 * failure between the two steps loses nothing and a repeat delivers nothing twice.
 */
export async function fanOutToWebhooks(e: SoukEvent, env: Env): Promise<void> {
  const event = e.envelope
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
