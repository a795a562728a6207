import { retryWithBackoff } from '../platform/queue-retry'
import type { Logger } from '../core/logger'
import { EventEnvelope } from './event-envelope'

/** What one consumer does with one event. It must be idempotent by `event.id`. */
export type EventHandler = (event: EventEnvelope, env: Env) => Promise<void>
export type EventHandlers = Partial<Record<string, EventHandler>>

const retryBackoff = { baseSeconds: 2, capSeconds: 600 }

/**
 * Consumes a batch from the `events` queue: each message is parsed, dispatched on its type and
 * acked once handled; types without a handler are acked and ignored. A failure retries that
 * message alone with jittered backoff; after `max_retries` the queue dead-letters it. A message
 * that is not an event envelope is retried too, so it ends in the dead-letter queue, not lost.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, handlers: EventHandlers, log: Logger): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = EventEnvelope.safeParse(msg.body)
    if (!parsed.success) {
      log.error('event_malformed', { queue: batch.queue, messageId: msg.id, attempts: msg.attempts })
      retryWithBackoff(msg, env, retryBackoff)
      continue
    }
    const event = parsed.data
    const handle = handlers[event.type]
    if (!handle) {
      msg.ack()
      continue
    }
    try {
      await handle(event, env)
      msg.ack()
    } catch (err) {
      log.error('event_handler_failed', { queue: batch.queue, eventId: event.id, type: event.type, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, retryBackoff)
    }
  }
}
