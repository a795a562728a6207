import { z } from 'zod'
import { riskReviewKinds } from './review-kinds'

/**
 * A `review` verdict on something that went ahead (a payout, listing, registration or bid): a
 * place in the review queue, written by the jobs consumer so the path that decided (a bid, which
 * touches no D1) only sends a message. Idempotent by the review id.
 */
export const RiskFlagJob = z.object({
  kind: z.literal('risk_flag'),
  review: z.object({
    id: z.string(),
    kind: z.enum(riskReviewKinds),
    subjectId: z.string(),
    userId: z.string(),
    reasons: z.array(z.string()),
    score: z.number().int().nullable(),
    createdAt: z.string(),
  }),
})
export type RiskFlagJob = z.infer<typeof RiskFlagJob>
