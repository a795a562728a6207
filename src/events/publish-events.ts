import type { EventEnvelope } from './event-envelope'
import { consumerNames, subscriptions } from './event-subscriptions'

/** The queue takes at most 100 messages per `sendBatch`. */
const MAX_MESSAGES = 100

/**
 * Publishes committed events: to each consumer's queue, the events of the types it takes, in
 * order, all queues side by side. It throws if any queue refused, and the producer's outbox keeps
 * the events and publishes them all again later: the queues that had taken them get them twice,
 * and their consumers apply them once (each dedupes by event id).
 * `only` sends to those consumers alone (the health probe; a replay goes through its own queue).
 */
export async function publishEvents(env: Env, events: readonly EventEnvelope[], only: readonly string[] = consumerNames): Promise<void> {
  const sends = consumerNames
    .filter((name) => only.includes(name))
    .map((name) => {
      const { binding, types } = subscriptions[name]
      const wanted = events.filter((e) => types.has(e.type))
      return sendAll(env[binding], wanted)
    })
  const results = await Promise.allSettled(sends)
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (refused.length > 0) throw new AggregateError(refused.map((r) => r.reason as unknown), `${refused.length} of ${sends.length} event queues refused the events`)
}

async function sendAll(queue: Queue, events: readonly EventEnvelope[]): Promise<void> {
  for (let i = 0; i < events.length; i += MAX_MESSAGES) {
    await queue.sendBatch(events.slice(i, i + MAX_MESSAGES).map((body) => ({ body, contentType: 'json' as const })))
  }
}
