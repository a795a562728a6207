import type { Logger } from '../core/logger'
import { systemClock } from '../platform/runtime'
import { keepDeadLetters } from './dead-letter-store'

/** The queue a dead-letter queue serves: `souk-jobs-dlq` → `souk-jobs`. */
export const sourceQueue = (deadLetterQueue: string): string => deadLetterQueue.replace(/-dlq$/, '')

/**
 * Consumes the dead-letter queues: every message a queue gave up on is kept in D1 for operators
 * (`GET /v1/admin/dead-letters`) and logged as an error, then acknowledged. Replaying sends the
 * body back to its queue; every consumer is idempotent, so a replay of something that did land
 * after all changes nothing.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env, log: Logger): Promise<void> {
  const queue = sourceQueue(batch.queue)
  const at = systemClock().toISOString()
  await keepDeadLetters(
    env.DB,
    batch.messages.map((m) => ({ id: m.id, queue, body: m.body, attempts: m.attempts, receivedAt: at })),
  )
  for (const m of batch.messages) log.error('dead_lettered', { queue, messageId: m.id })
  batch.ackAll()
}
