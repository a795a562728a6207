import type { BackoffOptions } from '../core/backoff'
import { eventTypesOf } from './contract/souk-event'

/**
 * Who consumes which events. Each consumer has its own queue (and dead-letter queue): a publish
 * sends every event to the queue of each consumer that takes its type, so each consumer is
 * delivered, retries, dead-letters and is replayed on its own, and one that keeps failing never
 * re-runs the others. Pure data, so producers can read it without importing any consumer.
 */
export const consumerNames = ['projection', 'auction-orders', 'notifications', 'webhooks', 'live', 'polls'] as const
export type ConsumerName = (typeof consumerNames)[number]

export type Subscription = {
  /** The producer binding of the consumer's queue in `env`. */
  binding: 'EVENTS_PROJECTION' | 'EVENTS_AUCTION_ORDERS' | 'EVENTS_NOTIFICATIONS' | 'EVENTS_WEBHOOKS' | 'EVENTS_LIVE' | 'EVENTS_POLLS'
  /** The queue's name in wrangler.toml (an environment may add a suffix). */
  queue: string
  types: ReadonlySet<string>
  /** Between retries of a message that failed (jittered; scaled locally by QUEUE_RETRY_SCALE). */
  backoff: BackoffOptions
}

const listing = eventTypesOf('listing')
const order = eventTypesOf('order')

export const subscriptions: Record<ConsumerName, Subscription> = {
  /** The search read model (listings, FTS5). */
  projection: { binding: 'EVENTS_PROJECTION', queue: 'souk-events-projection', types: new Set(listing), backoff: { baseSeconds: 1, capSeconds: 300 } },
  /** A won auction becomes the winner's order. */
  'auction-orders': { binding: 'EVENTS_AUCTION_ORDERS', queue: 'souk-events-auction-orders', types: new Set(['auction.won']), backoff: { baseSeconds: 2, capSeconds: 600 } },
  /**
   * Inbox notices, their e-mail, SMS and push dispatches, and the live push of each notice: only
   * the types that tell somebody something (notification-rules.ts; a test keeps the two in step).
   */
  notifications: {
    binding: 'EVENTS_NOTIFICATIONS',
    queue: 'souk-events-notifications',
    types: new Set([
      ...['bid.placed', 'auction.won', 'auction.ended', 'offer.created', 'offer.accepted', 'offer.declined', 'offer.expired'],
      ...order.filter((t) => t !== 'order.created' && t !== 'order.in_transit'),
      ...eventTypesOf('account'),
      ...eventTypesOf('webhook_endpoint'),
    ]),
    backoff: { baseSeconds: 2, capSeconds: 600 },
  },
  /** One outbound webhook message per endpoint that asked for the event. */
  webhooks: { binding: 'EVENTS_WEBHOOKS', queue: 'souk-events-webhooks', types: new Set([...listing, ...order]), backoff: { baseSeconds: 2, capSeconds: 600 } },
  /** Order updates onto the parties' live channels. */
  live: { binding: 'EVENTS_LIVE', queue: 'souk-events-live', types: new Set(order), backoff: { baseSeconds: 1, capSeconds: 60 } },
  /** Feedback polls put to an order's buyer or seller when the order event a poll names happens (every order type: a poll may name any). */
  polls: { binding: 'EVENTS_POLLS', queue: 'souk-events-polls', types: new Set(order), backoff: { baseSeconds: 1, capSeconds: 120 } },
}

/** The consumer a queue's batch is for, by its name (`souk-events-webhooks`, or with a suffix). */
export function consumerOfQueue(queue: string): ConsumerName | undefined {
  // Longest name first, so no consumer's queue is mistaken for another's that it begins with.
  const byLength = [...consumerNames].sort((a, b) => subscriptions[b].queue.length - subscriptions[a].queue.length)
  return byLength.find((name) => queue === subscriptions[name].queue || queue.startsWith(`${subscriptions[name].queue}-`))
}
