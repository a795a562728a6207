import type { SoukEvent } from '../events/contract/souk-event'
import { pushLive } from './user-live-client'

/**
 * The `live` consumer: order updates onto the buyer's and the seller's live channels as each
 * transition commits, in order, one call per person per batch. A push that fails fails the batch,
 * which the queue retries; a redelivery pushes the same `(orderId, seq)` again, which clients drop.
 */
export async function pushOrderUpdates(events: SoukEvent[], env: Env): Promise<void> {
  const failed = await pushLive(
    env,
    events.flatMap((e) => {
      if (e.aggregate !== 'order') return []
      const { orderId, status, buyerId, sellerId } = e.event.data
      const message = { type: 'order.updated', data: { orderId, status, seq: e.envelope.seq, at: e.envelope.occurredAt } }
      return [...new Set([buyerId, sellerId])].map((userId) => ({ userId, message }))
    }),
  )
  if (failed.length > 0) throw new Error(`live push failed for ${failed.length} of the batch's people`)
}
