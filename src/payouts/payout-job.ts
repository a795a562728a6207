import { z } from 'zod'

/**
 * The jobs-queue message that carries a recorded payout to the provider (payout-transfer.ts).
 * Sent when the payout is recorded; redelivered, retried with backoff while the provider cannot
 * say, dead-lettered after the queue's retries (the payout then stays pending: docs/OPERATIONS.md).
 */
export const PayoutJob = z.object({ kind: z.literal('payout'), payoutId: z.string() })
export type PayoutJob = z.infer<typeof PayoutJob>
