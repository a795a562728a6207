import { z } from 'zod'
import { EventMoney as Money } from './event-money'
import { orderStatuses } from '../../orders/order-machine'

/**
 * What an order says happened: one event per transition (one `order_events` row), under the
 * order's own `seq`. `order.created` for the first row, `order.<status>` for each move after it;
 * every type carries the same data, the order as the transition left it.
 */

export const OrderEventData = z.object({
  orderId: z.string().min(1),
  status: z.enum(orderStatuses),
  action: z.string().min(1),
  actor: z.string().min(1),
  reason: z.string().optional(),
  buyerId: z.string().min(1),
  sellerId: z.string().min(1),
  total: Money,
  items: z.array(z.object({ listingId: z.string().min(1), quantity: z.number().int().positive(), unitPrice: Money })),
})
export type OrderEventData = z.infer<typeof OrderEventData>

const movedTo = ['pending_review', 'paid', 'shipped', 'in_transit', 'delivered', 'completed', 'cancelled', 'disputed', 'refunded'] as const
export const orderEventTypes = ['order.created', ...movedTo.map((s) => `order.${s}` as const)] as const
export type OrderEventType = (typeof orderEventTypes)[number]

export type OrderEvent = { type: OrderEventType; data: OrderEventData }
