import { StepRejected, type Step } from '../../core/saga'
import { money } from '../../core/money'
import { gatewayKeys } from '../../payments/gateway'
import { draftOf, rejected, type Checkout, type CheckoutRejection } from '../checkout-context'

/**
 * PAYMENTS.md saga step charge-payment: one call to the provider, which captures at once, under the order id
 * as idempotency key (a retry of the checkout is the same charge). The pivot: a decline is a
 * definite "no" (the holds are released), anything after it is finished forward. The provider
 * out of reach (breaker open, rate limit) charges nothing and keeps the holds for a retry.
 */
export const chargePayment: Step<Checkout> = {
  name: 'charge-payment',
  pivot: true,
  async run(ck) {
    const draft = draftOf(ck)
    const started = ck.ports.now().getTime()
    const charge = await ck.ports.gateway.charge({
      key: gatewayKeys(draft.id).charge,
      orderId: draft.id,
      amount: money(draft.total, draft.currency),
      paymentMethod: draft.paymentMethod,
      // An order held for review is only authorized: staff approving it captures.
      capture: draft.review ? 'manual' : 'automatic',
    })
    ck.charge = charge
    // The decline-rate detector's input: anything but a charge that went through counts against it.
    ck.ports.metrics?.record({ kind: 'outcome', name: 'checkout.payment', error: charge.status !== 'succeeded', durationMs: ck.ports.now().getTime() - started, at: started })
    switch (charge.status) {
      case 'succeeded':
      case 'unknown':
        return 'next'
      case 'declined':
        throw new StepRejected<CheckoutRejection>({ code: 'payment_declined', orderId: draft.id, declineCode: charge.code })
      case 'unavailable':
        ck.ports.log.warn('payments_unavailable', { orderId: draft.id, reason: charge.reason })
        ck.result = rejected({ code: 'payments_unavailable', orderId: draft.id })
        return 'halt'
    }
  },
}
