/**
 * Which buttons an order shows on the pages, by who is looking and where the order stands: the
 * order machine's rules (src/orders/order-machine.ts) as a person meets them. Offering a button is
 * a courtesy; the API still decides, and a refusal comes back as the page's flash message.
 */
export type OrderAction = 'cancel' | 'ship' | 'accept' | 'dispute' | 'report_not_received' | 'review'

export type OrderLike = { status: string; history: { status: string; at: string }[]; updatedAt?: string }

/** The buyer's: cancel before payment; accept or dispute a delivered order; report one that never came once the delivery window is over; review a completed one. */
export function buyerActions(order: OrderLike, now: Date, deliveryWindowMs: number): OrderAction[] {
  switch (order.status) {
    case 'pending_payment':
      return ['cancel']
    case 'delivered':
      return ['accept', 'dispute']
    case 'shipped':
    case 'in_transit': {
      const shippedAt = lastAt(order, 'shipped') ?? order.updatedAt
      const opensAt = shippedAt ? Date.parse(shippedAt) + deliveryWindowMs : Number.NaN
      return opensAt <= now.getTime() ? ['report_not_received'] : []
    }
    case 'completed':
      return ['review']
    default:
      return []
  }
}

/** The seller's: ship a paid order, cancel one not yet shipped (refunding what was paid), review a completed one. */
export function sellerActions(order: OrderLike): OrderAction[] {
  switch (order.status) {
    case 'paid':
      return ['ship', 'cancel']
    case 'pending_payment':
      return ['cancel']
    case 'completed':
      return ['review']
    default:
      return []
  }
}

/** When the order last entered `status`, if it did. */
export function lastAt(order: OrderLike, status: string): string | undefined {
  return order.history.filter((h) => h.status === status).at(-1)?.at
}

/** "in_transit" → "in transit": statuses as words. */
export const statusWords = (status: string): string => status.replaceAll('_', ' ')
