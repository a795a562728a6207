import type { Step } from '../../core/saga'
import { draftOf, type Checkout } from '../checkout-context'

/**
 * PAYMENTS.md saga step queue-reconciliation: the watchdog goes out before any money moves, carrying
 * the order's draft. Whatever happens to this request from here on (a crash after the charge, a
 * lost answer), reconciliation asks the provider and writes or gives up the order.
 */
export const queueReconciliation: Step<Checkout> = {
  name: 'queue-reconciliation',
  async run(ck) {
    const { jobs, settings } = ck.ports
    await jobs.reconcile(ck.request.orderId, 1, settings.reconcileDelaySeconds, draftOf(ck))
    return 'next'
  },
}
