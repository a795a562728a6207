/**
 * A queue batch whose messages report how they ended: acked (the consumer did its work) or
 * retried (it failed, and the queue will try again or dead-letter it), with how long it took
 * from the batch's start. Messages the consumer settles neither way end with the batch: acked if
 * it returned, retried if it threw (what the runtime does with them).
 */
export type MessageOutcome = { ok: boolean; durationMs: number; message: Message }

export function observedBatch<T>(batch: MessageBatch<T>, report: (outcome: MessageOutcome) => void, clock: () => number = Date.now): { batch: MessageBatch<T>; settleRest: (ok: boolean) => void } {
  const started = clock()
  const settled = new Set<Message>()
  const settle = (message: Message, ok: boolean) => {
    if (settled.has(message)) return
    settled.add(message)
    report({ ok, durationMs: clock() - started, message })
  }
  const messages = batch.messages.map(
    (m): Message<T> => ({
      id: m.id,
      timestamp: m.timestamp,
      body: m.body,
      attempts: m.attempts,
      ack: () => {
        settle(m, true)
        m.ack()
      },
      retry: (options?: QueueRetryOptions) => {
        settle(m, false)
        m.retry(options)
      },
    }),
  )
  return {
    batch: {
      queue: batch.queue,
      metadata: batch.metadata,
      messages,
      ackAll: () => {
        for (const m of batch.messages) settle(m, true)
        batch.ackAll()
      },
      retryAll: (options?: QueueRetryOptions) => {
        for (const m of batch.messages) settle(m, false)
        batch.retryAll(options)
      },
    },
    settleRest: (ok) => {
      for (const m of batch.messages) settle(m, ok)
    },
  }
}
