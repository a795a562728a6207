import type { Logger } from '../core/logger'
import { EventEnvelope } from './event-envelope'
import { publishEvents } from './publish-events'

/**
 * `souk-events`, the one queue every consumer used to share before each had its own. Whatever a
 * deploy finds still in it is published again to the consumers' queues (they apply it once), so
 * nothing in flight is lost; nothing is sent to it any more. Remove it once it stays empty.
 */
export async function forwardLegacyEvents(batch: MessageBatch<unknown>, env: Env, log: Logger): Promise<void> {
  const events: { msg: Message; event: EventEnvelope }[] = []
  for (const msg of batch.messages) {
    const parsed = EventEnvelope.safeParse(msg.body)
    if (parsed.success) events.push({ msg, event: parsed.data })
    else {
      // Not an event: retried until the queue dead-letters it, for an operator to look at.
      log.error('event_malformed', { queue: batch.queue, messageId: msg.id, attempts: msg.attempts })
      msg.retry()
    }
  }
  await publishEvents(env, events.map((e) => e.event))
  for (const { msg } of events) msg.ack()
}
