import type { Logger } from '../core/logger'
import { runGrouped } from '../core/run-grouped'
import { retryWithBackoff } from '../platform/queue-retry'
import { decodeEvent, type SoukEvent } from './contract/souk-event'
import { EventEnvelope } from './event-envelope'
import type { Subscription } from './event-subscriptions'
import { withSpan } from '../platform/tracing'

/**
 * What one consumer does with the events of a batch, given in batch order. It must apply each
 * once however often it is delivered: each consumer keys what it does by the event's id (or, for
 * the read model, by the aggregate's `seq`, which is stronger). A consumer that can apply many
 * events in a few round trips (the read model, notices, webhook messages) takes the whole batch;
 * it is all or nothing, and if it fails the runner falls back to one event at a time, so only the
 * events that fail on their own are retried.
 */
export type EventConsumer = (events: SoukEvent[], env: Env, log: Logger) => Promise<void>

/** Aggregates handled side by side when events go one at a time; each aggregate's stay in order. */
const AGGREGATES_AT_ONCE = 8

type Decoded = { msg: Message; event: SoukEvent }

/**
 * Consumes a batch of one consumer's queue: each message is decoded against the event contract
 * and handled, then acked. Types and versions the contract does not declare, and types this
 * consumer does not take, are acked unread. A message that is no event, or a declared type whose
 * data does not match, is retried, so it ends in this consumer's dead-letter queue for an operator
 * instead of being lost. The rest go to the consumer as one batch; if that fails, one at a time:
 * one aggregate's events one after another in batch order, different aggregates side by side, and
 * once one of an aggregate's events fails, it and the ones after it are retried with the
 * consumer's backoff (they stay in order); after `max_retries` the queue dead-letters them.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, subscription: Subscription, consume: EventConsumer, log: Logger): Promise<void> {
  const retry = (msg: Message) => retryWithBackoff(msg, env, subscription.backoff)
  const decoded: Decoded[] = []
  for (const msg of batch.messages) {
    const envelope = EventEnvelope.safeParse(msg.body)
    if (!envelope.success) {
      log.error('event_malformed', { queue: batch.queue, messageId: msg.id, attempts: msg.attempts })
      retry(msg)
      continue
    }
    if (!subscription.types.has(envelope.data.type)) {
      msg.ack()
      continue
    }
    try {
      const event = decodeEvent(envelope.data)
      if (event) decoded.push({ msg, event })
      else msg.ack()
    } catch (err) {
      log.error('event_undecodable', { queue: batch.queue, eventId: envelope.data.id, type: envelope.data.type, attempts: msg.attempts, err })
      retry(msg)
    }
  }
  if (decoded.length === 0) return
  if (decoded.length > 1) {
    try {
      await consume(decoded.map((d) => d.event), env, log)
      for (const { msg } of decoded) msg.ack()
      return
    } catch (err) {
      log.warn('event_batch_failed', { queue: batch.queue, events: decoded.length, err })
    }
  }
  await oneAtATime(decoded, env, consume, log, batch.queue, retry)
}

async function oneAtATime(decoded: Decoded[], env: Env, consume: EventConsumer, log: Logger, queue: string, retry: (msg: Message) => void): Promise<void> {
  const failedAggregates = new Set<string>()
  await runGrouped(decoded, (d) => d.event.envelope.aggregateId, AGGREGATES_AT_ONCE, async ({ msg, event }) => {
    const { aggregateId, id, type } = event.envelope
    if (failedAggregates.has(aggregateId)) return retry(msg)
    try {
      await withSpan({ name: `${queue} ${type}`, kind: 'consumer', traceparent: event.envelope.traceparent, attributes: { 'event.id': id } }, () => consume([event], env, log))
      msg.ack()
    } catch (err) {
      failedAggregates.add(aggregateId)
      log.error('event_handler_failed', { queue, eventId: id, type, attempts: msg.attempts, err })
      retry(msg)
    }
  })
}

/** A consumer that handles events one by one, in order, made a batch consumer. */
export const eachInTurn =
  (handle: (event: SoukEvent, env: Env, log: Logger) => Promise<void>): EventConsumer =>
  async (events, env, log) => {
    for (const event of events) await handle(event, env, log)
  }
