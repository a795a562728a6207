import type { SoukEvent } from '../events/contract/souk-event'
import { newId, systemClock } from '../platform/runtime'
import { eventAudience, matchesFilter, webhookPayload } from './event-audience'
import { activeEndpointsOf } from './webhook-endpoint-store'
import { openMessages } from './webhook-message-store'

/**
 * The `webhooks` consumer, from its events queue to the deliveries queue (`souk-webhooks`): each
 * event becomes one message per endpoint that may see it (its owner is a party to it) and asked
 * for its type. A batch takes one read of the endpoints, one D1 batch of messages and one read of
 * what waits, then the sends. A redelivered event finds its messages made (unique per endpoint and
 * event) and only re-sends those never attempted, so a failure between the steps loses nothing
 * and a repeat delivers nothing twice.
 */
export async function fanOutToWebhooks(events: SoukEvent[], env: Env): Promise<void> {
  const audiences = events.map((e) => eventAudience(e.envelope))
  const endpoints = await activeEndpointsOf(env.DB, [...new Set(audiences.flat())])
  const at = systemClock().toISOString()
  const messages = events.flatMap(({ envelope }, i) => {
    const payload = JSON.stringify(webhookPayload(envelope))
    return endpoints
      .filter((p) => audiences[i]?.includes(p.ownerId) && matchesFilter(p.events, envelope.type))
      .map((p) => ({ id: newId('msg'), endpointId: p.id, eventId: envelope.id, type: envelope.type, payload, createdAt: at }))
  })
  const waiting = await openMessages(env.DB, events.map((e) => e.envelope.id), messages)
  for (let i = 0; i < waiting.length; i += 100) {
    await env.WEBHOOKS.sendBatch(waiting.slice(i, i + 100).map((messageId) => ({ body: { messageId }, contentType: 'json' as const })))
  }
}
