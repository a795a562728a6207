import { money } from '../core/money'
import { stockFate } from '../orders/order-machine'
import { commitStock, recordCapture, settleUnpaid } from '../orders/order-payment'
import type { OrderPorts } from '../orders/order-ports'
import { gatewayKeys } from '../payments/gateway'
import { rejected, type CheckoutRequest, type CheckoutResult } from './checkout-context'

/**
 * Paying a won auction: its order exists (made when the auction ended, its hold already bound to
 * it), so this checkout adopts it once (first key wins) and charges it as it stands. Not a hot
 * path: an auction has one winner.
 */
export async function payAuctionOrder(p: OrderPorts, req: CheckoutRequest, orderId: string | null): Promise<CheckoutResult> {
  if (!orderId) return rejected({ code: 'invalid_checkout', reason: 'the auction order is not ready yet; try again shortly' })
  if (req.items.length !== 1) return rejected({ code: 'invalid_checkout', reason: 'a won auction is checked out on its own' })
  await p.orders.adopt(orderId, req.buyerId, req.key, await req.sealAddress(orderId), req.paymentMethod)
  const order = await p.orders.get(orderId)
  if (!order) return rejected({ code: 'invalid_checkout', reason: 'the auction order is not ready yet; try again shortly' })
  if (order.checkoutKey !== req.key) return rejected({ code: 'invalid_transition', orderId, status: order.status })

  const answer = async (o: typeof order): Promise<CheckoutResult> => {
    const fate = stockFate(o.status)
    if (fate === 'release') return rejected({ code: 'checkout_cancelled', orderId })
    return { kind: fate === 'commit' ? 'paid' : 'pending', order: o, history: await p.orders.history(orderId) }
  }
  if (stockFate(order.status) === 'commit') {
    await commitStock(p, order)
    return answer(order)
  }
  if (stockFate(order.status) === 'release') return answer(order)
  if (p.now().getTime() >= Date.parse(order.paymentDueAt ?? order.createdAt)) return answer((await settleUnpaid(p, orderId, 'payment_timeout')) ?? order)

  await p.jobs.reconcile(orderId, 1, p.settings.reconcileDelaySeconds)
  const charge = await p.gateway.charge({ key: gatewayKeys(orderId).charge, orderId, amount: money(order.total, order.currency), paymentMethod: req.paymentMethod })
  switch (charge.status) {
    case 'succeeded': {
      const paid = await recordCapture(p, order, charge.paymentId)
      return paid.kind === 'cancelled' ? rejected({ code: 'checkout_cancelled', orderId }) : answer(paid.order)
    }
    case 'declined': {
      const after = (await settleUnpaid(p, orderId, 'payment_declined')) ?? order
      return stockFate(after.status) === 'commit' ? answer(after) : rejected({ code: 'payment_declined', orderId, declineCode: charge.code })
    }
    case 'unknown':
      p.log.warn('payment_outcome_unknown', { orderId, reason: charge.reason })
      return answer((await p.orders.get(orderId)) ?? order)
    case 'unavailable':
      return rejected({ code: 'payments_unavailable', orderId })
  }
}
