import { backoffSeconds } from '../core/backoff'
import type { Logger } from '../core/logger'
import type { EventEnvelope } from '../events/event-envelope'
import type { StoredEvent } from './live-message'
import { toEnvelope } from './outbox'

/** What the drain needs of the listing's storage: the outbox's head, and marking what left or waits. */
export type OutboxPort = {
  outboxHead(limit: number): { event: StoredEvent; attempts: number; nextAttemptAt: number; traceparent?: string }[]
  markSent(seqs: number[]): void
  retryLater(seqs: number[], atMs: number): void
}

export type DrainDeps = { listingId: string; publish: (events: EventEnvelope[]) => Promise<void>; now: () => number; random: () => number; log: () => Logger }

/** Batches of 100 sent per alarm, at most: a long outbox goes out over several alarms. */
const BATCHES_PER_DRAIN = 20
const BATCH = 100

/**
 * Sends what a listing's outbox holds, in seq order, 100 events at a time, each in the trace it
 * was committed in. Strictly from the head: nothing overtakes an event waiting out its backoff.
 * A failed send waits (backoff with jitter, 250 ms to 5 min) and stops the drain; the alarm
 * comes back for it.
 */
export async function drainOutbox(store: OutboxPort, deps: DrainDeps): Promise<void> {
  for (let i = 0; i < BATCHES_PER_DRAIN; i++) {
    const now = deps.now()
    const head = store.outboxHead(BATCH)
    if (head.length === 0 || (head[0]?.nextAttemptAt ?? 0) > now) return
    const seqs = head.map((d) => d.event.seq)
    try {
      // publishEvents splits what each queue gets into batches it accepts (by count and by size).
      await deps.publish(head.map((d) => toEnvelope(deps.listingId, d.event, d.traceparent)))
      store.markSent(seqs)
    } catch (err) {
      const attempts = (head[0]?.attempts ?? 0) + 1
      const delayMs = Math.max(250, backoffSeconds(attempts, deps.random, { baseSeconds: 1, capSeconds: 300 }) * 1000)
      store.retryLater(seqs, now + delayMs)
      deps.log().warn('outbox_send_failed', { attempts, delayMs, err })
      return
    }
  }
}
