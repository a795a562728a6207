import { StepRejected, type Step } from '../../core/saga'
import type { Checkout, CheckoutRejection } from '../checkout-context'

/**
 * DESIGN "Checkout" step 1: the risk engine, in the request path. Velocity is counted in the
 * buyer's account object by order id (a retry of this checkout counts once), never by counting D1
 * rows. `challenge` and `review` need a current second factor with the request; `block` refuses.
 */
export const assessRisk: Step<Checkout> = {
  name: 'assess-risk',
  async run(ck) {
    const { buyerId, orderId, steppedUp } = ck.request
    const risk = await ck.ports.risk.assessCheckout(buyerId, orderId)
    if (risk.verdict === 'block') throw new StepRejected<CheckoutRejection>({ code: 'risk_blocked', reasons: risk.reasons })
    if ((risk.verdict === 'challenge' || risk.verdict === 'review') && !steppedUp) throw new StepRejected<CheckoutRejection>({ code: 'mfa_required', reasons: risk.reasons })
    return 'next'
  },
}
