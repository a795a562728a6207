import { StepRejected, type Step } from '../../core/saga'
import { reasonsOf } from '../../risk/risk-rules'
import { draftOf, rejected, type Checkout, type CheckoutRejection } from '../checkout-context'

/**
 * PAYMENTS.md saga step assess-risk, once every line is held (the rules see the order's amount):
 * the buyer's account object confirms the caller's credential still stands and the account is not
 * frozen, and counts the checkout by order id (a retry counts once); the address, device and card
 * shards count it beside; the rules decide in process. `block` refuses (the holds go back); an
 * unanswered `challenge` answers 401 and keeps the holds for the retry with the same key and a
 * code; `review` lets the checkout go on as an authorization only, and the order is written
 * `pending_review` for staff.
 */
export const assessRisk: Step<Checkout> = {
  name: 'assess-risk',
  async run(ck) {
    const draft = draftOf(ck)
    const { buyerId, orderId, steppedUp, credentialHash, paymentMethod, shippingCountry, origin } = ck.request
    const admission = await ck.ports.risk.assessCheckout({ buyerId, orderId, credentialHash, amount: draft.total, paymentMethod, shippingCountry, origin, steppedUp })
    if (admission.kind === 'refused') throw new StepRejected<CheckoutRejection>({ code: admission.code })
    const risk = admission.assessment
    if (risk.verdict === 'block') throw new StepRejected<CheckoutRejection>({ code: 'risk_blocked', reasons: reasonsOf(risk) })
    if (risk.verdict === 'challenge') {
      // Not a refusal: the holds stay (until they lapse) for the retry with the same key that brings the code.
      ck.result = rejected({ code: 'mfa_required', reasons: reasonsOf(risk) })
      return 'halt'
    }
    if (risk.verdict === 'review') ck.draft = { ...draft, review: { id: ck.ports.newId('rsk'), reasons: reasonsOf(risk), score: risk.score } }
    return 'next'
  },
}
