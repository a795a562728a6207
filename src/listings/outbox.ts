import type { EventEnvelope } from '../events/event-envelope'
import type { StoredEvent } from './live-message'

/** A stored event as its consumers get it, in the trace it was committed in. */
export function toEnvelope(aggregateId: string, e: StoredEvent, traceparent?: string): EventEnvelope {
  return { id: e.id, type: e.type, version: e.version, aggregateId, seq: e.seq, occurredAt: e.occurredAt, data: e.data, private: e.private, ...(traceparent ? { traceparent } : {}) }
}
