import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { formatId } from '../../../src/core/ids'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { subscriptions, type ConsumerName } from '../../../src/events/event-subscriptions'
import worker from '../../../src/index'
import type { OrderStatus } from '../../../src/orders/order-machine'
import { orderEventEnvelope } from '../../../src/orders/order-event'

const randomId = (prefix: 'evt' | 'ord') => formatId(prefix, Date.now(), crypto.getRandomValues(new Uint8Array(10)))

/** An order event between these two people, as the orders' outbox would publish it. */
export function orderEvent(buyerId: string, sellerId: string, status: OrderStatus, seq: number): EventEnvelope {
  return orderEventEnvelope({
    eventId: randomId('evt'),
    orderId: randomId('ord'),
    seq,
    status,
    action: status,
    actor: 'system',
    reason: null,
    at: new Date().toISOString(),
    buyerId,
    sellerId,
    currency: 'USD',
    total: 1500,
    items: [{ listingId: 'lst_x', quantity: 1, unitPrice: 1500 }],
  })
}

/** Hands `event` to one consumer, on its queue, as one message of a batch; answers the acks. */
export async function deliverEvent(event: EventEnvelope, messageId: string, consumer: ConsumerName): Promise<string[]> {
  const batch = createMessageBatch(subscriptions[consumer].queue, [{ id: messageId, timestamp: new Date(), attempts: 1, body: event }])
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  return (await getQueueResult(batch, ctx)).explicitAcks
}
