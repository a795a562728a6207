import type { Logger } from '../core/logger'
import type { Db } from '../db/client'
import type { JobMessage } from '../orders/job-messages'
import type { OrderPorts } from '../orders/order-ports'
import { rejectHeldOrder } from '../orders/order-review'
import { settleReviewOf } from './risk-review-store'

/**
 * The `review_expiry` job: an order still held for review when its hold runs out is rejected by
 * Souk itself (its authorization voided, its units back on sale) and its review closed, so a
 * queue nobody works never keeps a buyer's card held until the authorization lapses.
 */
export async function expireHeldReview(p: OrderPorts, db: Db, job: Extract<JobMessage, { kind: 'review_expiry' }>, log: Logger): Promise<void> {
  if (p.now().getTime() < Date.parse(job.dueAt)) return p.jobs.reviewExpiry(job.orderId, job.dueAt, job.paymentRef)
  const outcome = await rejectHeldOrder(p, job.orderId, job.paymentRef, 'system')
  // The provider could not be asked, and nothing changed: the queue tries again.
  if (outcome.kind === 'unavailable') throw new Error(`review expiry of ${job.orderId}: the provider did not answer`)
  if (outcome.kind === 'decided') log.warn('review_expired', { orderId: job.orderId })
  // Whoever decided the order (staff earlier, or this job now), its review says so.
  const order = await p.orders.get(job.orderId)
  if (order?.status === 'paid' || order?.status === 'cancelled') await settleReviewOf(db, job.orderId, order.status === 'paid' ? 'approved' : 'rejected', 'system', p.now().toISOString())
}
