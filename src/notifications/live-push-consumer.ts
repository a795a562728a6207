import { rootLogger } from '../platform/runtime'
import type { EventEnvelope } from '../events/event-envelope'
import type { EventHandlers } from '../events/events-consumer'
import { orderEventTypes } from '../orders/order-event'
import { userLiveStub } from './user-live-object'

/**
 * Best effort onto a user's open sockets: the inbox and GET /v1/orders are the record, so a push
 * that fails is logged, never retried (a retry would re-run the event's other consumers for it).
 */
export async function pushLive(env: Env, userId: string, message: { type: string; data: unknown }): Promise<void> {
  try {
    await userLiveStub(env, userId).push(message)
  } catch (err) {
    rootLogger('warn').warn('live_push_failed', { userId, type: message.type, err })
  }
}

/** Order updates to the buyer's and the seller's live channel, as each transition commits. */
export async function pushOrderUpdate(event: EventEnvelope, env: Env): Promise<void> {
  const data = event.data as { orderId?: unknown; status?: unknown; buyerId?: unknown; sellerId?: unknown }
  const parties = [data.buyerId, data.sellerId].filter((u): u is string => typeof u === 'string')
  for (const userId of new Set(parties)) {
    await pushLive(env, userId, { type: 'order.updated', data: { orderId: data.orderId, status: data.status, seq: event.seq, at: event.occurredAt } })
  }
}

export const livePushHandlers: EventHandlers = Object.fromEntries(orderEventTypes.map((t) => [t, pushOrderUpdate]))
