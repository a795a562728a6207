import { projectListingEvents } from '../listings/listing-projection-consumer'
import { pushOrderUpdates } from '../notifications/live-push-consumer'
import { notifyFromEvents } from '../notifications/notification-consumer'
import { openAuctionOrder } from '../orders/auction-order-consumer'
import { deliverPolls } from '../polls/poll-delivery-consumer'
import { fanOutToWebhooks } from '../webhook-endpoints/webhook-fanout-consumer'
import { eachInTurn, type EventConsumer } from './events-consumer'
import type { ConsumerName } from './event-subscriptions'

/**
 * What each consumer does with an event of a type it takes (event-subscriptions.ts says which).
 * The one place that knows them all; none of them imports another.
 */
export const eventConsumers: Record<ConsumerName, EventConsumer> = {
  projection: projectListingEvents,
  'auction-orders': eachInTurn(openAuctionOrder),
  notifications: notifyFromEvents,
  webhooks: fanOutToWebhooks,
  live: pushOrderUpdates,
  polls: deliverPolls,
}
