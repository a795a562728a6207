import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Feedback polls (docs/NOTIFICATIONS.md "Feedback polls"): what staff ask, whom it reached after
 * which order, what they answered, and the seller's rating the buyers' answers make.
 * Conventions of every table: src/db/schema.ts.
 */

/** A question staff ask one side of every order whose event `trigger` happens, while `active`. */
export const polls = sqliteTable(
  'polls',
  {
    id: text('id').primaryKey(),
    /** As staff wrote it; `{subject}` reads as the other party's display name. */
    question: text('question').notNull(),
    /** An order event type (`order.completed`, `order.delivered`, …). */
    trigger: text('trigger').notNull(),
    audience: text('audience', { enum: ['buyer', 'seller'] }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
  },
  (t) => [index('polls_trigger_active_idx').on(t.trigger, t.active), check('polls_audience_check', sql`${t.audience} in ('buyer', 'seller')`)],
)

/**
 * A poll put to one person about one order: once per (poll, person, order), whatever the number of
 * times its event is delivered (the id is derived from those three, so a repeat is the same row).
 * `subjectId` is the order's other party, whom the question is about.
 */
export const pollDeliveries = sqliteTable(
  'poll_deliveries',
  {
    id: text('id').primaryKey(),
    pollId: text('poll_id').notNull(),
    userId: text('user_id').notNull(),
    orderId: text('order_id').notNull(),
    /** The event that delivered it (the first time). */
    eventId: text('event_id').notNull(),
    subjectId: text('subject_id').notNull(),
    deliveredAt: text('delivered_at').notNull(),
  },
  (t) => [uniqueIndex('poll_deliveries_poll_user_order_unique').on(t.pollId, t.userId, t.orderId), index('poll_deliveries_user_idx').on(t.userId, t.id)],
)

/** One answer per delivery (so one per person, poll and order): a score 0..10 and an optional comment. */
export const pollAnswers = sqliteTable(
  'poll_answers',
  {
    deliveryId: text('delivery_id').primaryKey(),
    pollId: text('poll_id').notNull(),
    userId: text('user_id').notNull(),
    subjectId: text('subject_id').notNull(),
    score: integer('score').notNull(),
    comment: text('comment'),
    answeredAt: text('answered_at').notNull(),
  },
  (t) => [index('poll_answers_poll_score_idx').on(t.pollId, t.score), index('poll_answers_user_idx').on(t.userId), check('poll_answers_score_check', sql`${t.score} between 0 and 10`)],
)

/**
 * Each seller's rating from buyers' poll answers about them (0..10): the count and sum, kept in
 * the answer's own batch (poll-store.ts), so a profile reads it in one row.
 */
export const sellerPollRatings = sqliteTable('seller_poll_ratings', {
  userId: text('user_id').primaryKey(),
  answerCount: integer('answer_count').notNull(),
  scoreSum: integer('score_sum').notNull(),
})
