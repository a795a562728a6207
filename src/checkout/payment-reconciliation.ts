import { money } from '../core/money'
import type { OrderPorts } from '../orders/order-ports'
import type { OrderRecord } from '../orders/order-view'
import { gatewayKeys } from '../payments/gateway'
import { completePayment, giveBack, recordCapture, settleUnpaid } from './order-payment'

/**
 * Reconciliation (law 4): an order whose payment outcome is not known is finished by asking the
 * provider where the charge made under the order's key stands, on a short schedule of delayed
 * jobs, never by waiting for a client to come back. While the order waits, an authorized or
 * captured charge pays it and a declined one cancels it; once it is due and still unknown, the
 * order is cancelled. A cancelled order is asked about a while longer (until `paymentBoundMs`
 * after it was due), so that a charge that lands late is found and given back.
 */
const MAX_DELAY_SECONDS = 120

export async function reconcileOrder(p: OrderPorts, orderId: string, attempt: number): Promise<void> {
  const order = await p.orders.get(orderId)
  if (!order) return
  const now = p.now().getTime()
  const due = order.paymentDueAt ? Date.parse(order.paymentDueAt) : Date.parse(order.createdAt) + p.settings.holdMs
  if (!order.paymentMethod) {
    // Never checked out (an auction win nobody paid): nothing to ask the provider; it expires when due.
    if (order.status === 'pending_payment' && now >= due) await settleUnpaid(p, order.id, 'payment_timeout')
    return
  }
  const request = { key: gatewayKeys(order.id).authorize, orderId: order.id, amount: money(order.total, order.currency), paymentMethod: order.paymentMethod }

  if (order.status === 'pending_payment') {
    const charge = await p.gateway.retrieve(request)
    switch (charge.status) {
      case 'authorized': {
        const result = await completePayment(p, order, charge.paymentId)
        if (result.kind === 'pending') await again(p, order, attempt, due)
        return
      }
      case 'captured':
        await recordCapture(p, order, charge.paymentId)
        return
      case 'declined':
      case 'refunded':
        await settleUnpaid(p, order.id, 'payment_declined')
        return
      case 'not_found':
      case 'unknown':
        if (now < due) return again(p, order, attempt, due)
        await settleUnpaid(p, order.id, 'payment_timeout')
        // Keep asking for a while: a charge that lands after this is given back.
        return again(p, order, attempt, due)
    }
  }

  // A cancelled order is asked about until the bound (attempt 0 is the provider's own webhook,
  // which may come days later): money found is given back. While the provider cannot even say,
  // asking goes on past the bound, loudly, since captured money may be behind the silence.
  if (order.status === 'cancelled' && (await p.orders.payment(order.id)) === undefined) {
    const withinBound = attempt === 0 || now <= due + p.settings.paymentBoundMs
    const charge = await p.gateway.retrieve(request)
    if (charge.status === 'authorized' || charge.status === 'captured') return giveBack(p, order, charge.paymentId, charge.status === 'captured')
    if (charge.status === 'not_found' && withinBound && attempt > 0) return again(p, order, attempt, due)
    if (charge.status === 'unknown') {
      if (!withinBound) p.log.error('payment_state_unknown_past_bound', { orderId: order.id, attempt, reason: charge.reason })
      return again(p, order, attempt, due)
    }
  }
}

/** The next look: soon at first, then less often, and never later than the moment the order is due. */
async function again(p: OrderPorts, order: OrderRecord, attempt: number, due: number): Promise<void> {
  const untilDue = Math.ceil((due - p.now().getTime()) / 1000)
  const backoff = Math.min(MAX_DELAY_SECONDS, p.settings.reconcileDelaySeconds * 2 ** Math.min(attempt, 10))
  const delay = untilDue > 0 ? Math.max(1, Math.min(backoff, untilDue)) : backoff
  await p.jobs.reconcile(order.id, attempt + 1, delay)
}
