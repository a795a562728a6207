import type { Logger } from '../core/logger'
import { runGrouped } from '../core/run-grouped'
import { retryWithBackoff } from '../platform/queue-retry'
import { decodeEvent, type SoukEvent } from './contract/souk-event'
import { EventEnvelope } from './event-envelope'
import type { Subscription } from './event-subscriptions'

/**
 * What one consumer does with one event. It must apply it once however often it is delivered:
 * each consumer keys what it does by the event's id (or, for the read model, by the aggregate's
 * `seq`, which is stronger).
 */
export type EventHandler = (event: SoukEvent, env: Env, log: Logger) => Promise<void>

/** Aggregates of one batch handled side by side; each aggregate's events stay in order. */
const AGGREGATES_AT_ONCE = 8

/**
 * Consumes a batch of one consumer's queue: each message is decoded against the event contract
 * and handled, then acked. Types and versions the contract does not declare, and types this
 * consumer does not take, are acked unread. One aggregate's events are handled one after another
 * in batch order, different aggregates side by side; once one of an aggregate's events fails, it
 * and the ones after it in the batch are retried with the consumer's backoff (they stay in order),
 * and after `max_retries` the queue moves them to this consumer's dead-letter queue. A message
 * that is no event, or a declared type whose data does not match, is retried too, so it ends
 * there for an operator instead of being lost.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, subscription: Subscription, handle: EventHandler, log: Logger): Promise<void> {
  const parsed = batch.messages.map((msg) => ({ msg, envelope: EventEnvelope.safeParse(msg.body) }))
  const failedAggregates = new Set<string>()
  const retry = (msg: Message) => retryWithBackoff(msg, env, subscription.backoff)
  const aggregateOf = ({ msg, envelope }: (typeof parsed)[number]) => (envelope.success ? envelope.data.aggregateId : `malformed:${msg.id}`)
  await runGrouped(parsed, aggregateOf, AGGREGATES_AT_ONCE, async (item) => {
    const { msg, envelope } = item
    if (!envelope.success) {
      log.error('event_malformed', { queue: batch.queue, messageId: msg.id, attempts: msg.attempts })
      return retry(msg)
    }
    const aggregate = aggregateOf(item)
    if (failedAggregates.has(aggregate)) return retry(msg)
    if (!subscription.types.has(envelope.data.type)) return msg.ack()
    try {
      const event = decodeEvent(envelope.data)
      if (event) await handle(event, env, log)
      msg.ack()
    } catch (err) {
      failedAggregates.add(aggregate)
      log.error('event_handler_failed', { queue: batch.queue, eventId: envelope.data.id, type: envelope.data.type, attempts: msg.attempts, err })
      retry(msg)
    }
  })
}
