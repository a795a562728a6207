import type { EventHandlers } from './events-consumer'

/**
 * What the `events` queue does with each event type. Every handler is idempotent by event id.
 * Read-model projection, notifications and webhooks register here as they arrive; until then
 * every event is acknowledged and ignored, as consumers do with types they do not know.
 */
export const eventHandlers: EventHandlers = {}
