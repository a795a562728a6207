import type { EventEnvelope } from '../events/event-envelope'
import type { StoredEvent } from './live-message'

/** The queue's limits on one `sendBatch`: 100 messages and 256 KB; Souk stays under both. */
const MAX_MESSAGES = 100
const MAX_BYTES = 200 * 1024

export function toEnvelope(aggregateId: string, e: StoredEvent): EventEnvelope {
  return { id: e.id, type: e.type, version: e.version, aggregateId, seq: e.seq, occurredAt: e.occurredAt, data: e.data, private: e.private }
}

const encoder = new TextEncoder()

/** Splits events, in order, into batches the queue accepts in one call (sizes in UTF-8 bytes, as it counts). */
export function outboxBatches(events: StoredEvent[]): StoredEvent[][] {
  const batches: StoredEvent[][] = []
  let current: StoredEvent[] = []
  let bytes = 0
  for (const e of events) {
    const size = encoder.encode(JSON.stringify(e)).length + 256
    if (current.length > 0 && (current.length >= MAX_MESSAGES || bytes + size > MAX_BYTES)) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(e)
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}
