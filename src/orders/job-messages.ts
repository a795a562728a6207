import { z } from 'zod'
import { currencies } from '../core/money'
import type { OrderDraft } from './order-draft'

/** A checkout's order not yet written, as its reconciliation job carries it. */
const OrderDraftSchema = z.object({
  id: z.string(),
  buyerId: z.string(),
  sellerId: z.string(),
  currency: z.enum(currencies),
  total: z.number().int(),
  items: z.array(z.object({ listingId: z.string(), quantity: z.number().int(), unitPrice: z.number().int() })),
  // Sealed; a job queued before addresses were sealed carries the object, kept as its JSON (read as a legacy plaintext).
  shippingAddress: z.union([z.string(), z.record(z.string(), z.string()).transform((a) => JSON.stringify(a))]),
  checkoutKey: z.string(),
  paymentMethod: z.string(),
  paymentDueAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  review: z.object({ id: z.string(), reasons: z.array(z.string()), score: z.number() }).optional(),
}) satisfies z.ZodType<OrderDraft>

/**
 * The messages of the `jobs` queue: timed work on orders, each delivered at least once after its
 * delay. Every handler is idempotent (conditional updates, gateway keys), so a redelivery is safe.
 */
export const JobMessage = z.discriminatedUnion('kind', [
  /** Ask the provider where an order's payment stands; finish the order either way (writing it from `draft` if it was never written). */
  z.object({ kind: z.literal('reconcile'), orderId: z.string(), attempt: z.number().int().min(0), draft: OrderDraftSchema.optional() }),
  /** Send back the money of an order whose payment is `refund_pending`. */
  z.object({ kind: z.literal('refund'), orderId: z.string(), attempt: z.number().int().min(0) }),
  /** Complete a delivered order once `dueAt` passes (chained: a queue delay is at most 12 h). */
  z.object({ kind: z.literal('auto_complete'), orderId: z.string(), dueAt: z.iso.datetime() }),
  /**
   * Reject an order still held for review once `dueAt` passes, before its authorization lapses at
   * the provider (chained like auto_complete). `paymentRef`: the authorization, to void.
   */
  z.object({ kind: z.literal('review_expiry'), orderId: z.string(), dueAt: z.iso.datetime(), paymentRef: z.string() }),
  /** The sandbox carrier's next tracking event for a shipment. */
  z.object({ kind: z.literal('sandbox_carrier'), orderId: z.string(), trackingNumber: z.string(), step: z.enum(['in_transit', 'delivered']) }),
])
export type JobMessage = z.infer<typeof JobMessage>

/** Cloudflare Queues delay a message by at most 12 hours. */
export const MAX_JOB_DELAY_SECONDS = 12 * 3600
