import { StepRejected, type Step } from '../../core/saga'
import type { Checkout, CheckoutRejection } from '../checkout-context'

/**
 * PAYMENTS.md saga step assess-risk: the risk engine, in the request path, asked of the buyer's account
 * object, which first confirms the caller's credential still stands and the account is not frozen
 * (a money-moving route acts on the authority, not on an isolate's cached answer). Velocity is
 * counted there by order id (a retry of this checkout counts once), never by counting D1 rows.
 * `challenge` and `review` need a current second factor with the request; `block` refuses.
 */
export const assessRisk: Step<Checkout> = {
  name: 'assess-risk',
  async run(ck) {
    const { buyerId, orderId, steppedUp, credentialHash } = ck.request
    const admission = await ck.ports.risk.admitCheckout(buyerId, orderId, credentialHash)
    if (admission.kind === 'refused') throw new StepRejected<CheckoutRejection>({ code: admission.code })
    const risk = admission.assessment
    if (risk.verdict === 'block') throw new StepRejected<CheckoutRejection>({ code: 'risk_blocked', reasons: risk.reasons })
    if ((risk.verdict === 'challenge' || risk.verdict === 'review') && !steppedUp) throw new StepRejected<CheckoutRejection>({ code: 'mfa_required', reasons: risk.reasons })
    return 'next'
  },
}
