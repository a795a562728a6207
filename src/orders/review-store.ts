import type { Db } from '../db/client'
import { reviews } from '../db/schema'

export type Review = typeof reviews.$inferInsert

/** One review per (order, author): false when this author already reviewed the order. */
export async function addReview(db: Db, r: Review): Promise<boolean> {
  const inserted = await db.insert(reviews).values(r).onConflictDoNothing().returning({ orderId: reviews.orderId })
  return inserted.length === 1
}
