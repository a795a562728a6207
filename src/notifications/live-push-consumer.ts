import type { SoukEvent } from '../events/contract/souk-event'
import { pushLive } from './user-live-push'

/**
 * The `live` consumer: order updates onto the buyer's and the seller's live channels as each
 * transition commits. A redelivery pushes the same `(orderId, seq)` again, which clients drop.
 */
export async function pushOrderUpdate(e: SoukEvent, env: Env): Promise<void> {
  if (e.aggregate !== 'order') return
  const { orderId, status, buyerId, sellerId } = e.event.data
  for (const userId of new Set([buyerId, sellerId])) {
    await pushLive(env, userId, { type: 'order.updated', data: { orderId, status, seq: e.envelope.seq, at: e.envelope.occurredAt } })
  }
}
