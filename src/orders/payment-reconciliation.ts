import { money } from '../core/money'
import { gatewayKeys, type ChargeRequest } from '../payments/gateway'
import type { OrderDraft } from './order-draft'
import { commitStock, completePayment, giveBack, recordCapture, recordChargedCheckout, recordHeldCheckout, releaseStock, settleUnpaid } from './order-payment'
import type { OrderPorts } from './order-ports'

/**
 * Reconciliation (law 4): an order whose payment outcome is not known is finished by asking the
 * provider where the charge made under the order's key stands, on a short schedule of delayed
 * jobs, never by waiting for a client to come back. The job is queued before every charge with
 * the order's draft, since a checkout writes its order only once the outcome is known: if the
 * worker died in between, the job writes it. While the order waits, a charge that went through
 * pays it and a declined one cancels it; once it is due and still unknown, it is cancelled (or,
 * never written, given up). Until `paymentBoundMs` after it was due it is asked about again, so
 * that a charge that lands late is found and given back.
 */
const MAX_DELAY_SECONDS = 120

export async function reconcileOrder(p: OrderPorts, orderId: string, attempt: number, draft?: OrderDraft): Promise<void> {
  const order = await p.orders.get(orderId)
  if (!order) {
    // Not written: the checkout is still running, or died after queueing this job. Without a
    // draft (the provider's webhook) the job that carries it will come.
    if (draft) await reconcileDraft(p, draft, attempt)
    return
  }
  const now = p.now().getTime()
  const due = order.paymentDueAt ? Date.parse(order.paymentDueAt) : Date.parse(order.createdAt) + p.settings.holdMs
  if (!order.paymentMethod) {
    // Never checked out (an auction win nobody paid): nothing to ask the provider; it expires when due.
    if (order.status === 'pending_payment' && now >= due) await settleUnpaid(p, order.id, 'payment_timeout')
    return
  }
  const request = chargeRequest(order.id, order.total, order.currency, order.paymentMethod)

  if (order.status === 'pending_payment') {
    const charge = await p.gateway.retrieve(request)
    switch (charge.status) {
      case 'authorized': {
        const result = await completePayment(p, order, charge.paymentId)
        if (result.kind === 'pending') await again(p, order.id, attempt, due)
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
        if (now < due) return again(p, order.id, attempt, due)
        await settleUnpaid(p, order.id, 'payment_timeout')
        // Keep asking for a while: a charge that lands after this is given back.
        return again(p, order.id, attempt, due)
    }
  }

  // A cancelled order is asked about until the bound (attempt 0 is the provider's own webhook,
  // which may come days later): money found is given back. While the provider cannot even say,
  // asking goes on past the bound, loudly, since captured money may be behind the silence.
  if (order.status === 'cancelled' && (await p.orders.payment(order.id)) === undefined) {
    const withinBound = attempt === 0 || now <= due + p.settings.paymentBoundMs
    const charge = await p.gateway.retrieve(request)
    if (charge.status === 'authorized' || charge.status === 'captured') return giveBack(p, order, charge.paymentId, charge.status === 'captured')
    if (charge.status === 'not_found' && withinBound && attempt > 0) return again(p, order.id, attempt, due)
    if (charge.status === 'unknown') {
      if (!withinBound) p.log.error('payment_state_unknown_past_bound', { orderId: order.id, attempt, reason: charge.reason })
      return again(p, order.id, attempt, due)
    }
  }
}

/** A checkout whose order was never written: the provider's record decides whether it is written paid, or given up. */
async function reconcileDraft(p: OrderPorts, draft: OrderDraft, attempt: number): Promise<void> {
  const now = p.now()
  const due = Date.parse(draft.paymentDueAt)
  const charge = await p.gateway.retrieve(chargeRequest(draft.id, draft.total, draft.currency, draft.paymentMethod, draft.review ? 'manual' : 'automatic'))
  switch (charge.status) {
    case 'captured':
      return writeCharged(p, draft, charge.paymentId)
    case 'authorized': {
      // Held for review as asked: the order waits for staff, never captured here.
      if (draft.review) return writeHeld(p, { ...draft, review: draft.review }, charge.paymentId)
      // A provider that held the money instead of capturing it: capture, then as above.
      const captured = await p.gateway.capture({ key: gatewayKeys(draft.id).capture, paymentId: charge.paymentId, amount: money(draft.total, draft.currency) })
      if (captured.status === 'succeeded') return writeCharged(p, draft, charge.paymentId)
      return again(p, draft.id, attempt, due, draft)
    }
    case 'declined':
    case 'refunded':
      // Nothing was taken: the checkout answered (or will answer) the decline; its holds go back.
      await releaseStock(p, draft)
      return
    case 'not_found':
    case 'unknown': {
      if (now.getTime() < due) return again(p, draft.id, attempt, due, draft)
      const written = await p.orders.abandon(draft.id, 'payment_timeout', now.toISOString())
      // Written after all (the checkout recorded it meanwhile): reconcile it as an order.
      if (written) return reconcileOrder(p, draft.id, attempt)
      await releaseStock(p, draft)
      if (charge.status === 'unknown' || now.getTime() <= due + p.settings.paymentBoundMs) return again(p, draft.id, attempt, due, draft)
    }
  }
}

/** The authorization is in, for a checkout held for review: written `pending_review`, its units sold. */
async function writeHeld(p: OrderPorts, draft: OrderDraft & { review: NonNullable<OrderDraft['review']> }, paymentId: string): Promise<void> {
  const written = await recordHeldCheckout(p, draft, paymentId)
  if (written.recorded) await commitStock(p, written.order)
}

/** The money is in: the order is written paid and its units sold (or followed, or given back: recordChargedCheckout). */
async function writeCharged(p: OrderPorts, draft: OrderDraft, paymentId: string): Promise<void> {
  const written = await recordChargedCheckout(p, draft, paymentId)
  if (written.recorded) await commitStock(p, written.order)
}

const chargeRequest = (orderId: string, total: number, currency: OrderDraft['currency'], paymentMethod: string, capture: ChargeRequest['capture'] = 'automatic'): ChargeRequest => ({
  key: gatewayKeys(orderId).charge,
  orderId,
  amount: money(total, currency),
  paymentMethod,
  capture,
})

/** The next look: soon at first, then less often, and never later than the moment the order is due. */
async function again(p: OrderPorts, orderId: string, attempt: number, due: number, draft?: OrderDraft): Promise<void> {
  const untilDue = Math.ceil((due - p.now().getTime()) / 1000)
  const backoff = Math.min(MAX_DELAY_SECONDS, p.settings.reconcileDelaySeconds * 2 ** Math.min(attempt, 10))
  const delay = untilDue > 0 ? Math.max(1, Math.min(backoff, untilDue)) : backoff
  await p.jobs.reconcile(orderId, attempt + 1, delay, draft)
}
