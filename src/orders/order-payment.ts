import { backoffSeconds } from '../core/backoff'
import { money } from '../core/money'
import { captureTransaction, refundTransaction } from '../ledger/ledger'
import { gatewayKeys, type DeclineCode } from '../payments/gateway'
import type { DraftReview, HistoryRow, OrderDraft } from './order-draft'
import { stockFate } from './order-machine'
import type { OrderPorts } from './order-ports'
import { transitionOrder } from './order-transitions'
import type { OrderRecord } from './order-view'

/**
 * Finishing an order's payment, shared by the checkout saga, reconciliation and the payment
 * webhook, so every path that learns "the money moved" does the same thing: the order `paid`
 * with its ledger in one batch, then the stock committed; and when the order was given up or
 * cancelled meanwhile, the money back. Each step is idempotent (gateway keys, conditional
 * writes, reservation ids), so any path may repeat it.
 */
export type PaymentResult =
  | { kind: 'paid'; order: OrderRecord }
  /** The provider's answer is not known yet; reconciliation finishes the order either way. */
  | { kind: 'pending'; order: OrderRecord }
  | { kind: 'declined'; order: OrderRecord; code: DeclineCode }
  /** The order was cancelled (or given up) while the money moved; the money goes back. */
  | { kind: 'cancelled'; order: OrderRecord }

type Ports = Pick<OrderPorts, 'orders' | 'stock' | 'gateway' | 'jobs' | 'now' | 'newId' | 'random' | 'log'>

/**
 * A checkout's charge went through and its order may not be written yet: write it `paid` (one
 * batch). The caller then sells the stock. If an earlier try or reconciliation wrote it first,
 * this follows that order (and sells or gives back itself); if the checkout was given up first
 * (its hold lapsed), the order is written cancelled and the money goes back.
 */
export async function recordChargedCheckout(
  p: Ports,
  draft: OrderDraft,
  paymentId: string,
): Promise<{ recorded: true; order: OrderRecord; history: HistoryRow[] } | { recorded: false; result: PaymentResult }> {
  const at = p.now().toISOString()
  const written = await p.orders.recordCheckout(draft, { status: 'paid', provider: p.gateway.provider, providerRef: paymentId }, at)
  if (written.result === 'recorded') return { recorded: true, order: written.order, history: written.history }
  if (written.result === 'exists') {
    const order = await p.orders.get(draft.id)
    if (!order) throw new Error(`order ${draft.id} exists and does not`)
    return { recorded: false, result: order.status === 'pending_payment' ? await recordCapture(p, order, paymentId) : await settledElsewhere(p, order, paymentId, true) }
  }
  const cancelled = await p.orders.recordCheckout(draft, { status: 'cancelled', reason: 'hold_expired' }, at)
  const order = (await p.orders.get(draft.id)) ?? cancelled.order
  return { recorded: false, result: await settledElsewhere(p, order, paymentId, true) }
}

/**
 * How long an order may wait for staff before Souk rejects it itself: six days, inside the seven
 * a card authorization lasts at Stripe, so the void reaches the buyer's card before it lapses.
 */
export const REVIEW_HOLD_MS = 6 * 24 * 3_600_000

/**
 * A checkout held for review was authorized: write it `pending_review` with its place in the
 * review queue (one batch; no ledger line, since no money moved yet). The caller then sells the
 * stock, which stays sold while staff decide. If the checkout was given up first, the order is
 * written cancelled and the authorization voided; if an earlier try wrote it, that stands.
 */
export async function recordHeldCheckout(
  p: Ports,
  draft: OrderDraft & { review: DraftReview },
  paymentId: string,
): Promise<{ recorded: true; order: OrderRecord; history: HistoryRow[] } | { recorded: false; result: PaymentResult }> {
  const at = p.now().toISOString()
  const written = await p.orders.recordCheckout(draft, { status: 'pending_review', reviewId: draft.review.id, reasons: draft.review.reasons, score: draft.review.score, providerRef: paymentId }, at)
  if (written.result === 'recorded') {
    // Nobody deciding must not leave the buyer's card held until the authorization lapses.
    await p.jobs.reviewExpiry(draft.id, new Date(p.now().getTime() + REVIEW_HOLD_MS).toISOString(), paymentId)
    return { recorded: true, order: written.order, history: written.history }
  }
  if (written.result === 'exists') {
    const order = await p.orders.get(draft.id)
    if (!order) throw new Error(`order ${draft.id} exists and does not`)
    return { recorded: false, result: order.status === 'pending_review' ? { kind: 'pending', order } : await settledElsewhere(p, order, paymentId, false) }
  }
  const cancelled = await p.orders.recordCheckout(draft, { status: 'cancelled', reason: 'hold_expired' }, at)
  const order = (await p.orders.get(draft.id)) ?? cancelled.order
  return { recorded: false, result: await settledElsewhere(p, order, paymentId, false) }
}

/** An existing order's authorization succeeded: capture it if the order still waits for it, else void it. */
export async function completePayment(p: Ports, order: OrderRecord, paymentId: string): Promise<PaymentResult> {
  const current = (await p.orders.get(order.id)) ?? order
  if (current.status !== 'pending_payment') return settledElsewhere(p, current, paymentId, false)
  const captured = await p.gateway.capture({ key: gatewayKeys(order.id).capture, paymentId, amount: money(order.total, order.currency) })
  switch (captured.status) {
    case 'succeeded':
      return recordCapture(p, current, paymentId)
    case 'declined': {
      const after = await settleUnpaid(p, order.id, 'payment_declined')
      if (after && stockFate(after.status) === 'commit') return { kind: 'paid', order: after }
      await giveBack(p, after ?? current, paymentId, false)
      return { kind: 'declined', order: after ?? current, code: captured.code }
    }
    case 'unknown':
    case 'unavailable':
      return { kind: 'pending', order: current }
  }
}

/** An existing order's money is captured: `paid` with the ledger's capture in one batch, then the stock is sold. */
export async function recordCapture(p: Ports, order: OrderRecord, paymentId: string): Promise<PaymentResult> {
  const paid = await transitionOrder(p, order.id, 'pay', 'system', (o) => ({
    payment: { orderId: o.id, provider: p.gateway.provider, providerRef: paymentId, amount: o.total, currency: o.currency },
    ledger: captureTransaction(o),
  }))
  if (paid.ok) {
    await commitStock(p, paid.order)
    return { kind: 'paid', order: paid.order }
  }
  const current = await p.orders.get(order.id)
  if (!current) throw new Error(`order ${order.id} vanished while being paid`)
  return settledElsewhere(p, current, paymentId, true)
}

/** The order was decided by another path while the money moved: follow what it decided. */
async function settledElsewhere(p: Ports, order: OrderRecord, paymentId: string, captured: boolean): Promise<PaymentResult> {
  if (stockFate(order.status) === 'commit') {
    await commitStock(p, order)
    return { kind: 'paid', order }
  }
  // Whoever cancelled it (or gave it up) released its units.
  await giveBack(p, order, paymentId, captured)
  return { kind: 'cancelled', order }
}

/**
 * Money that reached a cancelled order goes back: recorded as due (with the ledger's capture and
 * refund when it was captured, so the books show it came and went), then refunded or voided.
 */
export async function giveBack(p: Ports, order: OrderRecord, paymentId: string, captured: boolean): Promise<void> {
  const at = p.now().toISOString()
  const payment = { orderId: order.id, provider: p.gateway.provider, providerRef: paymentId, amount: order.total, currency: order.currency, captured }
  await p.orders.recordLateMoney(order, payment, captured ? refundTransaction(order) : null, captured ? captureTransaction(order) : null, at)
  p.log.warn('late_payment_returned', { orderId: order.id, captured })
  await refundDue(p, order.id, 0)
}

const refundBackoff = { baseSeconds: 30, capSeconds: 3600 }

/**
 * Sends back the money of an order whose payment is `refund_pending`: a refund of a capture, or
 * the void of an authorization. An answer that is not final is retried by the jobs queue, for as
 * long as it takes; a provider that refuses is logged as an error for a person to look at.
 */
export async function refundDue(p: Ports, orderId: string, attempt: number): Promise<void> {
  const payment = await p.orders.payment(orderId)
  if (payment?.status !== 'refund_pending') return
  const refunded = await p.gateway.refund({ key: gatewayKeys(orderId).refund, paymentId: payment.providerRef, amount: money(payment.amount, payment.currency) })
  switch (refunded.status) {
    case 'succeeded':
      await p.orders.markRefunded(orderId, p.now().toISOString())
      return
    case 'declined':
      p.log.error('refund_refused', { orderId, code: refunded.code, attempt })
      return
    case 'unknown':
    case 'unavailable':
      await p.jobs.refund(orderId, attempt + 1, Math.max(5, backoffSeconds(attempt + 1, p.random, refundBackoff)))
  }
}

/**
 * Cancels an order that is still unpaid (a conditional update), then gives its units back. If
 * another path paid it first, its units are committed instead: stock follows the order's record.
 */
export async function settleUnpaid(p: Ports, orderId: string, reason: string): Promise<OrderRecord | undefined> {
  const cancelled = await transitionOrder(p, orderId, 'cancel', 'system', () => ({ reason }))
  const order = cancelled.ok ? cancelled.order : await p.orders.get(orderId)
  if (!order) return undefined
  const fate = stockFate(order.status)
  if (fate === 'commit') await commitStock(p, order)
  else if (fate === 'release') await releaseStock(p, order)
  return order
}

/**
 * Sells the order's reserved units. A listing that cannot be reached now is left to the
 * reservation's lapse, which asks the order's fate and commits then: the order is paid regardless.
 */
export async function commitStock(p: Pick<Ports, 'stock' | 'log'>, order: Pick<OrderRecord, 'id' | 'items'>): Promise<void> {
  await eachLine(p, order, 'commit', (listingId) => p.stock.commit(listingId, order.id))
}

/** Gives back what the order holds (idempotent by order id: a line it never held is recorded released). */
export async function releaseStock(p: Pick<Ports, 'stock' | 'log'>, order: Pick<OrderRecord, 'id' | 'items'>): Promise<void> {
  await eachLine(p, order, 'release', (listingId) => p.stock.release(listingId, order.id))
}

async function eachLine(
  p: Pick<Ports, 'log'>,
  order: Pick<OrderRecord, 'id' | 'items'>,
  step: string,
  run: (listingId: string) => Promise<{ ok: boolean; rejection?: unknown }>,
): Promise<void> {
  await Promise.all(
    order.items.map(async (line) => {
      try {
        const result = await run(line.listingId)
        if (!result.ok) p.log.error('stock_step_refused', { step, orderId: order.id, listingId: line.listingId, rejection: result.rejection })
      } catch (err) {
        p.log.warn('stock_step_deferred', { step, orderId: order.id, listingId: line.listingId, err })
      }
    }),
  )
}
