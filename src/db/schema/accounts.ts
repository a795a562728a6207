import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Who uses Souk: accounts, and what others say of them.
 * Conventions of every table: src/db/schema.ts.
 */

/**
 * The D1 schema. Times are ISO 8601 UTC strings (they sort as text); ids are prefixed ULIDs.
 * Child tables reference their parents without ON DELETE CASCADE: a table rebuild by a later
 * migration must never delete children (see docs/OPERATIONS.md).
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    /**
     * The normalized (NFC, trimmed, lower-case) address, sealed (`v1.<kid>.…`, pii/pii-envelope.ts;
     * plaintext in rows the rotation script has not reached yet), or `erased:<id>` once erased.
     * Unique, which a sealed value always is; found by `emailIndex`.
     */
    email: text('email').notNull(),
    /** The e-mail's keyed blind index (pii/blind-index.ts): login finds the user by it, and it keeps addresses unique. Null once erased (the address may register again), and in rows from before it existed until the rotation script fills it. */
    emailIndex: text('email_index'),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'support', 'admin'] }).notNull().default('user'),
    frozenAt: text('frozen_at'),
    /** Set when the user erased their account; the row stays (orders keep their parties) with no personal data. */
    erasedAt: text('erased_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    uniqueIndex('users_email_index_unique').on(t.emailIndex),
    check('users_role_check', sql`${t.role} in ('user', 'support', 'admin')`),
  ],
)

export const reviews = sqliteTable(
  'reviews',
  {
    orderId: text('order_id').notNull(),
    authorId: text('author_id').notNull(),
    subjectId: text('subject_id').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.authorId] }),
    index('reviews_subject_idx').on(t.subjectId),
    index('reviews_subject_created_idx').on(t.subjectId, t.createdAt, t.orderId),
  ],
)

/**
 * Each user's rating as others reviewed them: the count and sum of the ratings in `reviews` about
 * them, kept in the same batch that writes a review (review-store.ts), so a profile reads it in one row.
 */
export const userRatings = sqliteTable('user_ratings', {
  userId: text('user_id').primaryKey(),
  reviewCount: integer('review_count').notNull(),
  ratingSum: integer('rating_sum').notNull(),
})
