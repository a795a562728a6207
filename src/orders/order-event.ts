import { money, type Currency } from '../core/money'
import type { OrderEventType } from '../events/contract/order-events'
import { EVENT_VERSION } from '../events/contract/souk-event'
import type { EventEnvelope } from '../events/event-envelope'
import type { HistoryRow } from './order-draft'
import type { OrderStatus } from './order-machine'
import type { OrderRecord } from './order-view'

/**
 * An order's transitions as events (law 5; their schema is src/events/contract/order-events.ts): one per `order_events` row, in
 * the order's own `seq` (its version), under an id fixed when the row was written, so publishing
 * again after a failure is the same event, which consumers apply once.
 */
export type OrderEventRow = {
  eventId: string
  orderId: string
  seq: number
  status: OrderStatus
  action: string
  actor: string
  reason: string | null
  at: string
  buyerId: string
  sellerId: string
  currency: Currency
  total: number
  items: { listingId: string; quantity: number; unitPrice: number }[]
}

/** `order.created` for the order's first row, `order.<status>` for each move after it. */
export const orderEventType = (status: OrderStatus, seq: number): OrderEventType => (seq === 1 || status === 'pending_payment' ? 'order.created' : `order.${status}`)

export function orderEventEnvelope(r: OrderEventRow): EventEnvelope {
  return {
    id: r.eventId,
    type: orderEventType(r.status, r.seq),
    version: EVENT_VERSION,
    aggregateId: r.orderId,
    seq: r.seq,
    occurredAt: r.at,
    data: {
      orderId: r.orderId,
      status: r.status,
      action: r.action,
      actor: r.actor,
      ...(r.reason ? { reason: r.reason } : {}),
      buyerId: r.buyerId,
      sellerId: r.sellerId,
      total: money(r.total, r.currency),
      items: r.items.map((i) => ({ listingId: i.listingId, quantity: i.quantity, unitPrice: money(i.unitPrice, r.currency) })),
    },
  }
}

/** The event of one history row of `order`, as the outbox publishes it. */
export function eventRowOf(order: Pick<OrderRecord, 'id' | 'buyerId' | 'sellerId' | 'currency' | 'total' | 'items'>, h: HistoryRow, eventId: string): OrderEventRow {
  return { eventId, orderId: order.id, seq: h.seq, status: h.status, action: h.action, actor: h.actor, reason: h.reason, at: h.at, buyerId: order.buyerId, sellerId: order.sellerId, currency: order.currency, total: order.total, items: order.items }
}
