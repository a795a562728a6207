import { ListingSchema } from '../../listings/listing-schemas'
import type { ListingView } from '../../listings/listing-view'
import type { EventEnvelope } from '../event-envelope'
import { AccountStandingData, accountEventTypes, type AccountEvent } from './account-events'
import { ListingEventSchema, listingEventTypes, type ListingEvent } from './listing-events'
import { OrderEventData, orderEventTypes, type OrderEvent } from './order-events'
import { WebhookEndpointDisabledData, webhookEndpointEventTypes, type WebhookEndpointEvent } from './webhook-endpoint-events'

/**
 * Every event Souk publishes, declared once: the aggregate each type belongs to and the schema of
 * each version of its data. Producers stamp `EVENT_VERSION`; consumers decode an envelope into one
 * typed event and never parse `data` themselves. A type (or a version of it) that is not declared
 * here decodes to nothing, and consumers acknowledge it unread: an older consumer meeting a newer
 * producer's event skips it instead of failing it into a dead-letter queue.
 */
export const EVENT_VERSION = 1

export type Aggregate = 'listing' | 'order' | 'account' | 'webhook_endpoint'

/** A decoded event: the envelope it came in, and its aggregate's typed event. */
export type SoukEvent =
  | { aggregate: 'listing'; envelope: EventEnvelope; event: ListingEvent; listing: ListingView }
  | { aggregate: 'order'; envelope: EventEnvelope; event: OrderEvent }
  | { aggregate: 'account'; envelope: EventEnvelope; event: AccountEvent }
  | { aggregate: 'webhook_endpoint'; envelope: EventEnvelope; event: WebhookEndpointEvent }


const aggregates: [Aggregate, readonly string[]][] = [
  ['listing', listingEventTypes],
  ['order', orderEventTypes],
  ['account', accountEventTypes],
  ['webhook_endpoint', webhookEndpointEventTypes],
]
const aggregateOfType = new Map(aggregates.flatMap(([aggregate, types]) => types.map((t) => [t, aggregate] as const)))

export const eventTypesOf = (aggregate: Aggregate): readonly string[] => aggregates.find(([a]) => a === aggregate)?.[1] ?? []

/** The aggregate a declared type belongs to. */
export const aggregateOf = (type: string): Aggregate | undefined => aggregateOfType.get(type)

const withImagesIfObject = (v: unknown): unknown => (typeof v === 'object' && v !== null && !('images' in v) ? { ...v, images: [] } : v)

/**
 * The typed event in `envelope`, or undefined when its type or version is not one Souk declares.
 * A declared type whose data does not match its schema throws: that is a producer's bug, and the
 * message goes on to the dead-letter queue for an operator to see.
 */
export function decodeEvent(envelope: EventEnvelope): SoukEvent | undefined {
  if (envelope.version !== EVENT_VERSION) return undefined
  switch (aggregateOf(envelope.type)) {
    case 'listing': {
      const event = ListingEventSchema.parse({ type: envelope.type, data: envelope.data, private: envelope.private ?? {} })
      // A snapshot from before listings had photos reads with none.
      const listing: ListingView = ListingSchema.parse(withImagesIfObject((envelope.data as { listing?: unknown }).listing))
      return { aggregate: 'listing', envelope, event, listing }
    }
    case 'order':
      return { aggregate: 'order', envelope, event: { type: envelope.type as OrderEvent['type'], data: OrderEventData.parse(envelope.data) } }
    case 'account':
      return { aggregate: 'account', envelope, event: { type: envelope.type as AccountEvent['type'], data: AccountStandingData.parse(envelope.data) } }
    case 'webhook_endpoint':
      return { aggregate: 'webhook_endpoint', envelope, event: { type: 'webhook_endpoint.disabled', data: WebhookEndpointDisabledData.parse(envelope.data) } }
    default:
      return undefined
  }
}
