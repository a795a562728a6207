import { runSaga, StepRejected } from '../core/saga'
import { stockFate } from '../orders/order-machine'
import type { OrderPorts } from '../orders/order-ports'
import { payAuctionOrder } from './auction-checkout'
import { rejected, type Checkout, type CheckoutRejection, type CheckoutRequest, type CheckoutResult } from './checkout-context'
import { assessRisk } from './steps/assess-risk'
import { chargePayment } from './steps/charge-payment'
import { commitLines } from './steps/commit-lines'
import { queueReconciliation } from './steps/queue-reconciliation'
import { recordOrder } from './steps/record-order'
import { reserveLines } from './steps/reserve-lines'

/**
 * The checkout saga (PAYMENTS.md "The checkout saga"), one step per file under
 * steps/. The order id is derived from (buyer, Idempotency-Key), so every step can be run again
 * by a retry and lands on the same reservations, the same charge and the same order; nothing is
 * written to D1 until the payment's outcome is known, and then in one batch.
 */
export const checkoutSteps = [reserveLines, assessRisk, queueReconciliation, chargePayment, recordOrder, commitLines] as const

export async function runCheckout(ports: OrderPorts, request: CheckoutRequest): Promise<CheckoutResult> {
  if (new Set(request.items.map((i) => i.listingId)).size !== request.items.length) {
    // A line per listing: a repeated one would hold once (one order id) and be charged twice.
    return rejected({ code: 'invalid_checkout', reason: 'each listing at most once' })
  }
  const ck: Checkout = { ports, request, now: ports.now(), fresh: [], lines: [] }
  try {
    await runSaga(ck, checkoutSteps)
  } catch (err) {
    if (!(err instanceof StepRejected)) throw err
    const rejection = err.rejection as CheckoutRejection
    if (rejection.code === 'awaiting_payment') {
      // The won auction's order is paid as it stands, but only by a buyer whose credential and account still stand.
      const admitted = await ports.risk.admitBuyer(request.buyerId, request.credentialHash)
      if (admitted.kind === 'refused') return rejected({ code: admitted.code })
      return payAuctionOrder(ports, request, rejection.orderId)
    }
    if (rejection.code === 'checkout_cancelled') return decided(ports, request.orderId)
    return rejected(rejection)
  }
  if (!ck.result) throw new Error('the checkout saga ended without an answer')
  return ck.result.kind === 'decided' ? decided(ports, ck.result.orderId) : ck.result
}

/** A checkout an earlier try (or reconciliation) decided: answered from the order as it stands. */
export async function decided(p: Pick<OrderPorts, 'orders'>, orderId: string): Promise<CheckoutResult> {
  const [order, history] = await Promise.all([p.orders.get(orderId), p.orders.history(orderId)])
  if (!order) return rejected({ code: 'checkout_cancelled', orderId })
  const fate = stockFate(order.status)
  if (order.status === 'pending_review') return { kind: 'pending', order, history }
  if (fate === 'commit') return { kind: 'paid', order, history }
  if (fate === 'release') return rejected({ code: 'checkout_cancelled', orderId })
  return { kind: 'pending', order, history }
}
