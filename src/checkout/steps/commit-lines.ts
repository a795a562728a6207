import type { Step } from '../../core/saga'
import { commitStock } from '../../orders/order-payment'
import type { Checkout } from '../checkout-context'

/**
 * PAYMENTS.md saga step commit-lines: each listing sells the units it held for the paid order (the
 * second and last call per listing). A listing that cannot be reached now commits when the hold
 * lapses and asks the order's fate: the order is paid regardless.
 */
export const commitLines: Step<Checkout> = {
  name: 'commit-lines',
  async run(ck) {
    if (!ck.order || !ck.history) throw new Error('commit-lines ran before the order was recorded')
    await commitStock(ck.ports, ck.order)
    // Held for review: sold while staff decide, answered 202 like any order not yet paid.
    ck.result = { kind: ck.order.status === 'pending_review' ? 'pending' : 'paid', order: ck.order, history: ck.history }
    return 'next'
  },
}
