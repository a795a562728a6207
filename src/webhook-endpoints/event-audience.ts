import type { EventEnvelope } from '../events/event-envelope'

/**
 * Who may hear an event through webhooks, and what they hear. Only the parties to an order or the
 * seller of a listing: a webhook is a user's own feed, not a watch on other people's business.
 * Everything here reads the envelope's public `data` and nothing else; `private` (who bid, who
 * holds stock) is for Souk's own consumers and never leaves through a webhook.
 */

/** Prefixes of the events a listing object writes; each carries the public listing in `data.listing`. */
const listingEventPrefixes = ['listing.', 'auction.', 'bid.', 'offer.', 'stock.']

/**
 * The ids of the users whose endpoints may receive `e`: buyer and seller for an order's events,
 * the seller for a listing's, nobody for anything else. Malformed data means nobody, not an error:
 * a consumer must not fail a batch over one odd event.
 */
export function eventAudience(e: EventEnvelope): string[] {
  const data = asRecord(e.data)
  if (e.type.startsWith('order.')) return distinct([idIn(data, 'buyerId'), idIn(data, 'sellerId')])
  if (listingEventPrefixes.some((prefix) => e.type.startsWith(prefix))) return distinct([idIn(asRecord(data?.listing), 'sellerId')])
  return []
}

/**
 * Whether an endpoint subscribed to `filter` wants events of `type`. Each entry is an exact type,
 * `*` for every type, or `<prefix>.*` for every type under that prefix (`order.*` takes
 * `order.paid` but not `orders.paid` or `order` itself). No entries, no events.
 */
export function matchesFilter(filter: readonly string[], type: string): boolean {
  return filter.some((entry) => entry === '*' || entry === type || (entry.endsWith('.*') && type.startsWith(entry.slice(0, -1))))
}

/**
 * Every filter entry that names something an endpoint can receive, given the types it can: `*`,
 * each type, and each prefix of one (`order.*`; `a.b.*` too for a type `a.b.c`). An entry outside
 * this list would match nothing, silently, so endpoints are refused it.
 */
export function eventFilters(types: Iterable<string>): [string, ...string[]] {
  const entries = new Set<string>()
  for (const type of types) {
    entries.add(type)
    const parts = type.split('.')
    for (let i = 1; i < parts.length; i++) entries.add(`${parts.slice(0, i).join('.')}.*`)
  }
  return ['*', ...[...entries].sort()]
}

/**
 * The body Souk POSTs, in the Standard Webhooks shape `{ type, timestamp, data }`. `data` is the
 * event's public data with the event's id, aggregate and `seq` added, so a receiver can drop
 * repeats and put one order's or listing's deliveries back in order (retries arrive out of it).
 */
export type WebhookPayload = { type: string; timestamp: string; data: Record<string, unknown> }

export function webhookPayload(e: EventEnvelope): WebhookPayload {
  const data = asRecord(e.data) ?? { value: e.data }
  return { type: e.type, timestamp: e.occurredAt, data: { ...data, eventId: e.id, aggregateId: e.aggregateId, seq: e.seq } }
}

/** The type of the event an owner sends to one endpoint to try it; it goes to no other endpoint. */
export const TEST_EVENT_TYPE = 'webhook.test'

/** The body of a test delivery: the same shape, `data` naming the endpoint and the test's own event id. */
export function testPayload(endpointId: string, eventId: string, at: Date): WebhookPayload {
  return { type: TEST_EVENT_TYPE, timestamp: at.toISOString(), data: { endpointId, eventId } }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

function idIn(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

function distinct(ids: (string | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== undefined))]
}
