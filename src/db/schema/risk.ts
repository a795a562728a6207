import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { riskReviewKinds, riskReviewStatuses } from '../../risk/review-kinds'

/**
 * What the risk engine leaves for people: the manual review queue.
 * Conventions of every table: src/db/schema.ts.
 */


/**
 * One decision of `review`: an order held `pending_review` (its payment authorized, not
 * captured), or a payout, listing, registration or bid that went ahead and is flagged for staff.
 * `subject_id` is what was reviewed (order, payout, listing, user or bid id); `user_id` whose act
 * it was. Decided once: the update that decides it requires `status = 'open'`.
 */
export const riskReviews = sqliteTable(
  'risk_reviews',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: riskReviewKinds }).notNull(),
    subjectId: text('subject_id').notNull(),
    userId: text('user_id').notNull(),
    /** JSON array of `rule_id: reason`. */
    reasons: text('reasons').notNull(),
    /** The anomaly score, for a checkout. */
    score: integer('score'),
    /** A held order's authorization at the provider: approving captures it, rejecting voids it. */
    paymentRef: text('payment_ref'),
    status: text('status', { enum: riskReviewStatuses }).notNull(),
    createdAt: text('created_at').notNull(),
    decidedAt: text('decided_at'),
    decidedBy: text('decided_by'),
  },
  (t) => [index('risk_reviews_status_idx').on(t.status, t.id), index('risk_reviews_subject_idx').on(t.subjectId)],
)
