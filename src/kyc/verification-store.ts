import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { sellerVerifications } from '../db/schema'
import type { Verification, VerificationStatus } from './verification'

/** A seller's verification in D1 (`seller_verifications`, one row per seller once they start). */
export type VerificationRow = Verification & { provider: string; lastError: string | null; payoutAccount: string | null; createdAt: string; updatedAt: string; verifiedAt: string | null }

export async function findVerification(db: Db, userId: string): Promise<VerificationRow | undefined> {
  return db
    .select({
      status: sellerVerifications.status,
      sessionId: sellerVerifications.sessionId,
      url: sellerVerifications.url,
      attempts: sellerVerifications.attempts,
      provider: sellerVerifications.provider,
      lastError: sellerVerifications.lastError,
      payoutAccount: sellerVerifications.payoutAccount,
      createdAt: sellerVerifications.createdAt,
      updatedAt: sellerVerifications.updatedAt,
      verifiedAt: sellerVerifications.verifiedAt,
    })
    .from(sellerVerifications)
    .where(eq(sellerVerifications.userId, userId))
    .get()
}

export const statusOf = (row: Pick<Verification, 'status'> | undefined): VerificationStatus => row?.status ?? 'unverified'

/** Whether the seller passed verification (payouts and the public profile ask). */
export async function isVerified(db: Db, userId: string): Promise<boolean> {
  const row = await db.select({ status: sellerVerifications.status }).from(sellerVerifications).where(eq(sellerVerifications.userId, userId)).get()
  return row?.status === 'verified'
}

/**
 * Records session number `attempt` as the seller's pending verification, only if nobody recorded
 * it (or a later one) first: a first start writes the row; a start after a rejection replaces the
 * rejected session only while that is still what `attempts - 1` left. Answers whether it wrote.
 * Two starts at once make the same session (same key at the provider) and one of them writes.
 */
export async function recordStart(db: Db, userId: string, provider: string, attempt: number, session: { sessionId: string; url: string | null }, at: string): Promise<boolean> {
  const [written] = await db.batch([
    db
      .insert(sellerVerifications)
      .values({ userId, status: 'pending', provider, sessionId: session.sessionId, url: session.url, attempts: attempt, createdAt: at, updatedAt: at })
      .onConflictDoUpdate({
        target: sellerVerifications.userId,
        set: { status: 'pending', provider, sessionId: session.sessionId, url: session.url, attempts: attempt, lastError: null, updatedAt: at },
        setWhere: and(eq(sellerVerifications.status, 'rejected'), eq(sellerVerifications.attempts, attempt - 1)),
      })
      .returning({ userId: sellerVerifications.userId }),
  ])
  return written.length === 1
}

/**
 * Moves the seller's verification for `sessionId` from `from` to `to`, only if it still stands
 * there (a repeat or a race writes nothing). Answers whether it moved.
 */
export async function recordOutcome(db: Db, userId: string, sessionId: string, move: { from: 'pending' | 'rejected'; to: 'verified' | 'rejected'; reason: string | null }, at: string): Promise<boolean> {
  const moved = await db
    .update(sellerVerifications)
    .set({ status: move.to, lastError: move.reason, updatedAt: at, ...(move.to === 'verified' ? { verifiedAt: at, url: null } : {}) })
    .where(and(eq(sellerVerifications.userId, userId), eq(sellerVerifications.sessionId, sessionId), eq(sellerVerifications.status, move.from)))
    .returning({ userId: sellerVerifications.userId })
  return moved.length === 1
}

/** What the personal-data export shows: the status and when, and the provider's session reference. */
export async function exportVerification(db: Db, userId: string) {
  const row = await findVerification(db, userId)
  return row ? { status: row.status, provider: row.provider, sessionId: row.sessionId, createdAt: row.createdAt, updatedAt: row.updatedAt, verifiedAt: row.verifiedAt } : null
}

/** Erasure: the provider's session reference and hosted page go; the status stays (payouts made under it keep their basis). */
export async function eraseVerification(db: Db, userId: string, at: string): Promise<void> {
  await db
    .update(sellerVerifications)
    .set({ sessionId: null, url: null, updatedAt: at })
    .where(and(eq(sellerVerifications.userId, userId), sql`${sellerVerifications.sessionId} IS NOT NULL`))
}

/** Where the seller's payouts go at the payout provider (their Stripe Connect account), if recorded. */
export async function payoutAccountOf(db: Db, userId: string): Promise<string | null> {
  const row = await db.select({ account: sellerVerifications.payoutAccount }).from(sellerVerifications).where(eq(sellerVerifications.userId, userId)).get()
  return row?.account ?? null
}

/** Records where a verified seller's payouts go; false when the seller is not verified. */
export async function setPayoutAccount(db: Db, userId: string, account: string, at: string): Promise<boolean> {
  const result = await db
    .update(sellerVerifications)
    .set({ payoutAccount: account, updatedAt: at })
    .where(and(eq(sellerVerifications.userId, userId), eq(sellerVerifications.status, 'verified')))
  return result.meta.changes === 1
}
