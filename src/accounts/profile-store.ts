import { aliasedTable, and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { orders, reviews, sellerPollRatings, userRatings, users } from '../db/schema'

export type Profile = { id: string; displayName: string; memberSince: string; ratingCount: number; ratingAverage: number | null; feedbackCount: number; feedbackAverage: number | null }
export type PublicReview = { authorId: string; authorName: string; authorRole: 'buyer' | 'seller'; orderId: string; rating: number; comment: string | null; createdAt: string }

/** A user who has not erased their account, with their rating aggregate; undefined otherwise. */
export async function findProfile(db: Db, userId: string): Promise<Profile | undefined> {
  return db
    .select({
      id: users.id,
      displayName: users.displayName,
      memberSince: users.createdAt,
      ratingCount: sql<number>`coalesce(${userRatings.reviewCount}, 0)`,
      ratingAverage: sql<number | null>`round(CAST(${userRatings.ratingSum} AS REAL) / ${userRatings.reviewCount}, 2)`,
      feedbackCount: sql<number>`coalesce(${sellerPollRatings.answerCount}, 0)`,
      feedbackAverage: sql<number | null>`round(CAST(${sellerPollRatings.scoreSum} AS REAL) / ${sellerPollRatings.answerCount}, 2)`,
    })
    .from(users)
    .leftJoin(userRatings, eq(userRatings.userId, users.id))
    .leftJoin(sellerPollRatings, eq(sellerPollRatings.userId, users.id))
    .where(and(eq(users.id, userId), isNull(users.erasedAt)))
    .get()
}

export const reviewCursor = (r: Pick<PublicReview, 'createdAt' | 'orderId'>): string => `${r.createdAt}|${r.orderId}`

function afterCursor(cursor: string | undefined): SQL | undefined {
  const [createdAt, orderId] = cursor?.split('|') ?? []
  if (!createdAt || !orderId) return undefined
  return or(lt(reviews.createdAt, createdAt), and(eq(reviews.createdAt, createdAt), lt(reviews.orderId, orderId)))
}

const authors = aliasedTable(users, 'authors')

/** The reviews others wrote about `subjectId`, newest first, `limit + 1` rows after `cursor`. */
export function reviewsAbout(db: Db, subjectId: string, limit: number, cursor?: string): Promise<PublicReview[]> {
  return db
    .select({
      authorId: reviews.authorId,
      authorName: authors.displayName,
      authorRole: sql<'buyer' | 'seller'>`CASE WHEN ${orders.sellerId} = ${reviews.authorId} THEN 'seller' ELSE 'buyer' END`,
      orderId: reviews.orderId,
      rating: reviews.rating,
      comment: reviews.comment,
      createdAt: reviews.createdAt,
    })
    .from(reviews)
    .innerJoin(authors, eq(authors.id, reviews.authorId))
    .innerJoin(orders, eq(orders.id, reviews.orderId))
    .where(and(eq(reviews.subjectId, subjectId), afterCursor(cursor)))
    .orderBy(desc(reviews.createdAt), desc(reviews.orderId))
    .limit(limit + 1)
}
