import { and, desc, eq, lt } from 'drizzle-orm'
import type { Db } from '../db/client'
import { riskReviews } from '../db/schema'
import type { ReviewKind, ReviewStatus } from './review-kinds'

export type RiskReview = {
  id: string
  kind: ReviewKind
  subjectId: string
  userId: string
  reasons: string[]
  score: number | null
  /** A held order's authorization at the provider. */
  paymentRef: string | null
  status: ReviewStatus
  createdAt: string
  decidedAt: string | null
  decidedBy: string | null
}

type Row = typeof riskReviews.$inferSelect

const toReview = (r: Row): RiskReview => ({ ...r, reasons: JSON.parse(r.reasons) as string[] })

export type NewReview = Pick<RiskReview, 'id' | 'kind' | 'subjectId' | 'userId' | 'reasons' | 'score' | 'createdAt'>

/** The insert of an open review, for a batch (an order's review goes in the order's batch). */
export function insertReview(db: Db, r: NewReview) {
  return db
    .insert(riskReviews)
    .values({ ...r, reasons: JSON.stringify(r.reasons), status: 'open' })
    .onConflictDoNothing()
}

export async function recordReview(db: Db, r: NewReview): Promise<void> {
  await insertReview(db, r)
}

export async function findReview(db: Db, id: string): Promise<RiskReview | undefined> {
  const [row] = await db.select().from(riskReviews).where(eq(riskReviews.id, id)).limit(1)
  return row ? toReview(row) : undefined
}

/** `limit + 1` reviews newest first, after the review id `cursor`. */
export async function listReviews(db: Db, q: { status?: ReviewStatus; kind?: ReviewKind; limit: number; cursor?: string }): Promise<RiskReview[]> {
  const rows = await db
    .select()
    .from(riskReviews)
    .where(and(q.status ? eq(riskReviews.status, q.status) : undefined, q.kind ? eq(riskReviews.kind, q.kind) : undefined, q.cursor ? lt(riskReviews.id, q.cursor) : undefined))
    .orderBy(desc(riskReviews.id))
    .limit(q.limit + 1)
  return rows.map(toReview)
}

/** Closes the open review of `subjectId` (an order decided by another path), if one is still open. */
export async function settleReviewOf(db: Db, subjectId: string, status: Exclude<ReviewStatus, 'open'>, by: string, at: string): Promise<void> {
  await db
    .update(riskReviews)
    .set({ status, decidedBy: by, decidedAt: at })
    .where(and(eq(riskReviews.subjectId, subjectId), eq(riskReviews.status, 'open')))
}

/** Decides an open review; false when it was decided already (by this call's twin, or earlier). */
export async function decideReview(db: Db, id: string, status: Exclude<ReviewStatus, 'open'>, by: string, at: string): Promise<boolean> {
  const result = await db
    .update(riskReviews)
    .set({ status, decidedBy: by, decidedAt: at })
    .where(and(eq(riskReviews.id, id), eq(riskReviews.status, 'open')))
  return result.meta.changes === 1
}
