import { queueBatches } from '../core/queue-batches'
import type { EventEnvelope } from './event-envelope'
import { consumerNames, subscriptions } from './event-subscriptions'

/**
 * Publishes committed events: to each consumer's queue, the events of the types it takes, in
 * order, all queues side by side. It throws if any queue refused, and the producer's outbox keeps
 * the events and publishes them all again later: the queues that had taken them get them twice,
 * and their consumers apply them once (each dedupes by event id).
 */
export async function publishEvents(env: Env, events: readonly EventEnvelope[]): Promise<void> {
  const sends = consumerNames.map((name) => {
    const { binding, types } = subscriptions[name]
    return sendAll(env[binding], events.filter((e) => types.has(e.type)))
  })
  const results = await Promise.allSettled(sends)
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (refused.length > 0) throw new AggregateError(refused.map((r) => r.reason as unknown), `${refused.length} of ${sends.length} event queues refused the events`)
}

/** In order, in batches the queue takes (by count and by size: listing events carry the listing). */
async function sendAll(queue: Queue, events: readonly EventEnvelope[]): Promise<void> {
  for (const batch of queueBatches(events)) await queue.sendBatch(batch.map((body) => ({ body, contentType: 'json' as const })))
}
