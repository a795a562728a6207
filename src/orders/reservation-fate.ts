import { stockFate } from './order-machine'
import type { OrderPorts } from './order-ports'
import { transitionOrder } from './order-transitions'

/**
 * ARCHITECTURE.md "Decisions", asked by a listing whose order-bound reservation lapsed. An order
 * never written is given up in the same batch that looks for it, so a charge still in flight can
 * never record it paid (its money is given back instead); an order still unpaid is cancelled by a
 * conditional update (if payment wins that race, it is paid). The answer follows the order: paid
 * keeps the units (of a listing the order bought: a hold left under its id by a retry that asked
 * for more is no part of it), anything else gives them back.
 */
export async function reservationFate(p: Pick<OrderPorts, 'orders' | 'now'>, orderId: string, listingId: string): Promise<'commit' | 'release'> {
  const order = await p.orders.abandon(orderId, 'hold_expired', p.now().toISOString())
  let status = order?.status
  if (status === 'pending_payment') {
    const cancelled = await transitionOrder(p, orderId, 'cancel', 'system', () => ({ reason: 'hold_expired' }))
    status = cancelled.ok ? cancelled.order.status : (await p.orders.get(orderId))?.status
  }
  const bought = order?.items.some((i) => i.listingId === listingId) ?? false
  return stockFate(status) === 'commit' && bought ? 'commit' : 'release'
}
