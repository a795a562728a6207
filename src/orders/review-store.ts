import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { reviews, userRatings } from '../db/schema'

export type Review = typeof reviews.$inferInsert

/**
 * One review per (order, author): false when this author already reviewed the order. The
 * subject's rating aggregate is updated in the same batch (one transaction), before the insert and
 * only while no review of this order by this author exists, so a repeat counts nothing twice.
 */
export async function addReview(db: Db, r: Review): Promise<boolean> {
  const notYetReviewed = sql`NOT EXISTS (SELECT 1 FROM ${reviews} WHERE ${and(eq(reviews.orderId, r.orderId), eq(reviews.authorId, r.authorId))})`
  const [, inserted] = await db.batch([
    db
      .insert(userRatings)
      .select(sql`SELECT ${r.subjectId}, 1, ${r.rating} WHERE ${notYetReviewed}`)
      .onConflictDoUpdate({ target: userRatings.userId, set: { reviewCount: sql`${userRatings.reviewCount} + 1`, ratingSum: sql`${userRatings.ratingSum} + excluded.rating_sum` } }),
    db.insert(reviews).values(r).onConflictDoNothing().returning({ orderId: reviews.orderId }),
  ])
  return inserted.length === 1
}
