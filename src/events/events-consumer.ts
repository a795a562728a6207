import { runGrouped } from '../core/run-grouped'
import { retryWithBackoff } from '../platform/queue-retry'
import type { Logger } from '../core/logger'
import { EventEnvelope } from './event-envelope'

/** What one consumer does with one event. It must be idempotent by `event.id`. */
export type EventHandler = (event: EventEnvelope, env: Env) => Promise<void>
export type EventHandlers = Partial<Record<string, EventHandler>>

const retryBackoff = { baseSeconds: 2, capSeconds: 600 }

/** Aggregates of one batch handled side by side; each aggregate's events stay in order. */
const AGGREGATES_AT_ONCE = 8

/**
 * Consumes a batch from the `events` queue: each message is parsed, dispatched on its type and
 * acked once handled; types without a handler are acked and ignored. The events of one aggregate
 * are handled one after another in batch order, different aggregates side by side. A failure
 * retries that message alone with jittered backoff; after `max_retries` the queue dead-letters it.
 * A message that is not an event envelope is retried too, so it ends in the dead-letter queue, not lost.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, handlers: EventHandlers, log: Logger): Promise<void> {
  const parsed = batch.messages.map((msg) => ({ msg, event: EventEnvelope.safeParse(msg.body) }))
  await runGrouped(parsed, ({ msg, event }) => (event.success ? event.data.aggregateId : `malformed:${msg.id}`), AGGREGATES_AT_ONCE, async ({ msg, event }) => {
    if (!event.success) {
      log.error('event_malformed', { queue: batch.queue, messageId: msg.id, attempts: msg.attempts })
      retryWithBackoff(msg, env, retryBackoff)
      return
    }
    const handle = handlers[event.data.type]
    if (!handle) {
      msg.ack()
      return
    }
    try {
      await handle(event.data, env)
      msg.ack()
    } catch (err) {
      log.error('event_handler_failed', { queue: batch.queue, eventId: event.data.id, type: event.data.type, attempts: msg.attempts, err })
      retryWithBackoff(msg, env, retryBackoff)
    }
  })
}
