import { listingProjectionHandlers } from '../listings/listing-projection-consumer'
import { livePushHandlers } from '../notifications/live-push-consumer'
import { notificationHandlers } from '../notifications/notification-consumer'
import { auctionOrderHandlers } from '../orders/auction-order-consumer'
import { webhookFanoutHandlers } from '../webhook-endpoints/webhook-fanout-consumer'
import type { EventEnvelope } from './event-envelope'
import type { EventHandler, EventHandlers } from './events-consumer'

/**
 * What the `events` queue does with each event type; types without a handler are acknowledged
 * and ignored, as consumers do with types they do not know.
 */
export const eventHandlers: EventHandlers = combineHandlers(listingProjectionHandlers, auctionOrderHandlers, webhookFanoutHandlers, notificationHandlers, livePushHandlers)

/** Several consumers of one type run in turn; each is idempotent, so a retry of the lot is safe. */
export function combineHandlers(...sets: EventHandlers[]): EventHandlers {
  const types = new Set(sets.flatMap((s) => Object.keys(s)))
  return Object.fromEntries(
    [...types].map((type) => {
      const handlers = sets.map((s) => s[type]).filter((h): h is EventHandler => h !== undefined)
      return [type, async (event: EventEnvelope, env: Env) => {
        for (const h of handlers) await h(event, env)
      }]
    }),
  )
}

