import { queueBatches } from '../core/queue-batches'
import type { SoukEvent } from '../events/contract/souk-event'
import { newId, systemClock } from '../platform/runtime'
import { eventAudience, matchesFilter, webhookPayload } from './event-audience'
import { activeEndpointsOf } from './webhook-endpoint-store'
import { openMessages } from './webhook-message-store'

/**
 * The `webhooks` consumer, from its events queue to the deliveries queue (`souk-webhooks`): each
 * event becomes one message per endpoint that may see it (its owner is a party to it) and asked
 * for its type. A batch takes one read of the endpoints, a D1 batch of messages per 100 and one
 * read of what an earlier run left unqueued, then the sends. A redelivered event finds its
 * messages made (unique per endpoint and event) and queues only those an earlier run stopped
 * before queueing, so a failure between the steps loses nothing and a repeat delivers nothing twice.
 */
export async function fanOutToWebhooks(events: SoukEvent[], env: Env): Promise<void> {
  const audiences = events.map((e) => eventAudience(e.envelope))
  const endpoints = await activeEndpointsOf(env.DB, [...new Set(audiences.flat())])
  const now = systemClock()
  const at = now.toISOString()
  const messages = events.flatMap(({ envelope }, i) => {
    const payload = JSON.stringify(webhookPayload(envelope))
    return endpoints
      .filter((p) => audiences[i]?.includes(p.ownerId) && matchesFilter(p.events, envelope.type))
      .map((p) => ({ id: newId('msg'), endpointId: p.id, eventId: envelope.id, type: envelope.type, payload, createdAt: at }))
  })
  const waiting = await openMessages(env.DB, events.map((e) => e.envelope.id), messages, now)
  for (const batch of queueBatches(waiting)) await env.WEBHOOKS.sendBatch(batch.map((messageId) => ({ body: { messageId }, contentType: 'json' as const })))
}
