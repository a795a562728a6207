import type { Step } from '../../core/saga'
import { recordChargedCheckout, recordHeldCheckout, type PaymentResult } from '../../orders/order-payment'
import { draftOf, rejected, type Checkout, type CheckoutResult } from '../checkout-context'

/**
 * PAYMENTS.md saga step record-order: the order is written once, when the payment's outcome is known. Paid:
 * one D1 batch writes the order, its history, its payment, the ledger's capture and its outbox
 * rows. Authorized for review: the order is written `pending_review` with its place in the
 * review queue, and no ledger line. Unknown: the order is written `pending_payment` (its holds kept) and reconciliation
 * finishes it. If the hold lapsed first (the checkout was given up), the money goes back and the
 * answer says the checkout was cancelled; if an earlier try wrote it, the answer follows that.
 */
export const recordOrder: Step<Checkout> = {
  name: 'record-order',
  async run(ck) {
    const draft = draftOf(ck)
    const { ports } = ck
    const charge = ck.charge
    if (charge?.status === 'succeeded') {
      // Held for review: written pending_review with its review (the charge only authorized); else paid.
      const written = draft.review ? await recordHeldCheckout(ports, { ...draft, review: draft.review }, charge.paymentId) : await recordChargedCheckout(ports, draft, charge.paymentId)
      if (!written.recorded) {
        ck.result = fromPayment(written.result)
        return 'halt'
      }
      ck.order = written.order
      ck.history = written.history
      return 'next'
    }
    ports.log.warn('payment_outcome_unknown', { orderId: draft.id, reason: charge?.status === 'unknown' ? charge.reason : 'no answer' })
    const pending = await ports.orders.recordCheckout(draft, { status: 'pending_payment' }, ports.now().toISOString())
    if (pending.result === 'recorded') ck.result = { kind: 'pending', order: pending.order, history: pending.history }
    else if (pending.result === 'abandoned') ck.result = rejected({ code: 'checkout_cancelled', orderId: draft.id })
    else ck.result = { kind: 'decided', orderId: draft.id }
    return 'halt'
  },
}

function fromPayment(r: PaymentResult): CheckoutResult {
  switch (r.kind) {
    case 'paid':
    case 'pending':
      return { kind: 'decided', orderId: r.order.id }
    case 'declined':
      return rejected({ code: 'payment_declined', orderId: r.order.id, declineCode: r.code })
    case 'cancelled':
      return rejected({ code: 'checkout_cancelled', orderId: r.order.id })
  }
}

