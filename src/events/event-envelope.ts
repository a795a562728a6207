import { z } from 'zod'

/**
 * The envelope every event carries on the consumers' queues. `seq` orders the events of one
 * aggregate without gaps; `version` is the version of `data`'s schema for this `type`
 * (contract/souk-event.ts declares each); `data` is public, `private` is for Souk's own consumers.
 * Consumers parse the envelope, then decode it against the contract and ignore what it does not declare.
 */
export const EventEnvelope = z.object({
  id: z.string().regex(/^evt_[0-9a-z]{26}$/),
  type: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/),
  version: z.number().int().positive(),
  aggregateId: z.string().min(1),
  seq: z.number().int().nonnegative(),
  occurredAt: z.iso.datetime(),
  data: z.unknown(),
  /** What only Souk's own consumers may read (who bid, who holds stock); never sent to watchers. */
  private: z.record(z.string(), z.unknown()).optional(),
  /** The W3C trace the event was committed in; each consumer's work on it continues that trace. */
  traceparent: z.string().max(128).optional(),
})
export type EventEnvelope = z.infer<typeof EventEnvelope>

/** Sent by /health to prove the queue accepts messages; every consumer acks it unread. */
export const HEALTH_PROBE = 'health.probe'
