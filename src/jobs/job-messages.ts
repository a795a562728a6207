import { z } from 'zod'

/**
 * The messages of the `jobs` queue: timed work on orders, each delivered at least once after its
 * delay. Every handler is idempotent (conditional updates, gateway keys), so a redelivery is safe.
 */
export const JobMessage = z.discriminatedUnion('kind', [
  /** Ask the provider where an order's payment stands; finish the order either way. */
  z.object({ kind: z.literal('reconcile'), orderId: z.string(), attempt: z.number().int().min(0) }),
  /** Send back the money of an order whose payment is `refund_pending`. */
  z.object({ kind: z.literal('refund'), orderId: z.string(), attempt: z.number().int().min(0) }),
  /** Complete a delivered order once `dueAt` passes (chained: a queue delay is at most 12 h). */
  z.object({ kind: z.literal('auto_complete'), orderId: z.string(), dueAt: z.iso.datetime() }),
  /** The sandbox carrier's next tracking event for a shipment. */
  z.object({ kind: z.literal('sandbox_carrier'), orderId: z.string(), trackingNumber: z.string(), step: z.enum(['in_transit', 'delivered']) }),
])
export type JobMessage = z.infer<typeof JobMessage>

/** Cloudflare Queues delay a message by at most 12 hours. */
export const MAX_JOB_DELAY_SECONDS = 12 * 3600
