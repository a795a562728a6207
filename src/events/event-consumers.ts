import { projectListingEvent } from '../listings/listing-projection-consumer'
import { pushOrderUpdate } from '../notifications/live-push-consumer'
import { notifyFromEvent } from '../notifications/notification-consumer'
import { openAuctionOrder } from '../orders/auction-order-consumer'
import { fanOutToWebhooks } from '../webhook-endpoints/webhook-fanout-consumer'
import type { EventHandler } from './events-consumer'
import type { ConsumerName } from './event-subscriptions'

/**
 * What each consumer does with an event of a type it takes (event-subscriptions.ts says which).
 * The one place that knows them all; none of them imports another.
 */
export const eventConsumers: Record<ConsumerName, EventHandler> = {
  projection: projectListingEvent,
  'auction-orders': openAuctionOrder,
  notifications: notifyFromEvent,
  webhooks: fanOutToWebhooks,
  live: pushOrderUpdate,
}
