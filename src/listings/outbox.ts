import type { EventEnvelope } from '../events/event-envelope'
import type { StoredEvent } from './live-message'

export function toEnvelope(aggregateId: string, e: StoredEvent): EventEnvelope {
  return { id: e.id, type: e.type, version: e.version, aggregateId, seq: e.seq, occurredAt: e.occurredAt, data: e.data, private: e.private }
}
