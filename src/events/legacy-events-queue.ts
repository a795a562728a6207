import type { Logger } from '../core/logger'
import { EventEnvelope } from './event-envelope'
import { publishEvents } from './publish-events'

/**
 * `souk-events`, the one queue every consumer used to share before each had its own. Whatever a
 * deploy finds still in it is published again to the consumers' queues (they apply it once), so
 * nothing in flight is lost; nothing is sent to it any more. Remove it once it stays empty.
 */
export async function forwardLegacyEvents(batch: MessageBatch<unknown>, env: Env, log: Logger): Promise<void> {
  const events = batch.messages.flatMap((m) => {
    const parsed = EventEnvelope.safeParse(m.body)
    if (!parsed.success) log.error('event_malformed', { queue: batch.queue, messageId: m.id })
    return parsed.success ? [parsed.data] : []
  })
  await publishEvents(env, events)
  batch.ackAll()
}
