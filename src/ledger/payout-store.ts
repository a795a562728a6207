import { and, desc, eq, lt, sql } from 'drizzle-orm'
import { newId } from '../platform/runtime'
import type { Currency } from '../core/money'
import type { Db } from '../db/client'
import { insertWhere } from '../db/guarded-insert'
import { ledgerEntries, payouts, riskReviews } from '../db/schema'
import { accounts, payoutReversalTransaction, payoutTransaction } from './ledger'
import { ledgerStatements } from './ledger-store'

export type PayoutRecord = { id: string; sellerId: string; amount: number; currency: Currency; status: 'pending' | 'paid' | 'failed'; createdAt: string }
/** A payout as staff see it: also when it last moved, the provider's transfer and why it failed. */
export type PayoutDetail = PayoutRecord & { updatedAt: string | null; transferReference: string | null; failureCode: string | null }

/**
 * Records a payout and its ledger transaction in one batch, only if the seller's available
 * balance covers it at that moment: D1 runs a batch as one transaction, so two payouts at once
 * cannot both spend the same money. Answers false when the balance did not cover it.
 */
export async function recordPayout(db: Db, p: PayoutRecord, transactionId: string, review?: { id: string; reasons: string[] }): Promise<boolean> {
  const available = sql`(SELECT coalesce(sum(${ledgerEntries.amount}), 0) FROM ${ledgerEntries} WHERE ${and(eq(ledgerEntries.account, accounts.seller(p.sellerId)), eq(ledgerEntries.currency, p.currency))}) >= ${p.amount}`
  const recorded = sql`EXISTS (SELECT 1 FROM ${payouts} WHERE ${payouts.id} = ${p.id})`
  const [inserted] = await db.batch([
    insertWhere(db, payouts, { id: p.id, sellerId: p.sellerId, amount: p.amount, currency: p.currency, status: 'pending', createdAt: p.createdAt }, available),
    ...ledgerStatements(db, payoutTransaction(p.id, p.sellerId, p.amount, p.currency), transactionId, p.createdAt, recorded),
    // Held for review (risk engine): its place in the queue, so no transfer starts until staff approve.
    ...(review
      ? [insertWhere(db, riskReviews, { id: review.id, kind: 'payout', subjectId: p.id, userId: p.sellerId, reasons: JSON.stringify(review.reasons), score: null, status: 'open', createdAt: p.createdAt }, recorded)]
      : []),
  ])
  return inserted.meta.changes === 1
}

/** The seller's payouts, newest first (ids sort by creation), `limit + 1` rows after the payout id `cursor`. */
export function listPayouts(db: Db, sellerId: string, limit: number, cursor?: string): Promise<PayoutRecord[]> {
  return db
    .select()
    .from(payouts)
    .where(and(eq(payouts.sellerId, sellerId), cursor ? lt(payouts.id, cursor) : undefined))
    .orderBy(desc(payouts.id))
    .limit(limit + 1)
}

export async function findPayout(db: Db, payoutId: string): Promise<PayoutDetail | undefined> {
  return db.select().from(payouts).where(eq(payouts.id, payoutId)).get()
}

/** `pending → paid` with the provider's transfer, only if still pending: a repeat or a race writes nothing. */
export async function markPayoutPaid(db: Db, payoutId: string, transferReference: string, at: string): Promise<boolean> {
  const moved = await db
    .update(payouts)
    .set({ status: 'paid', transferReference, updatedAt: at })
    .where(and(eq(payouts.id, payoutId), eq(payouts.status, 'pending')))
    .returning({ id: payouts.id })
  return moved.length === 1
}

/**
 * `pending → failed` and the reversal that puts the money back in the seller's available
 * balance, in one batch: the reversal is written only if the payout is failed when it runs, and
 * at most once per payout (unique (payout_id, kind)), so redelivered or concurrent jobs reverse it
 * exactly once, and a payout that was paid meanwhile is never reversed.
 */
export async function markPayoutFailed(db: Db, p: Pick<PayoutRecord, 'id' | 'sellerId' | 'amount' | 'currency'>, failureCode: string, at: string): Promise<boolean> {
  const failed = sql`EXISTS (SELECT 1 FROM ${payouts} WHERE ${payouts.id} = ${p.id} AND ${payouts.status} = 'failed')`
  const [moved] = await db.batch([
    db
      .update(payouts)
      .set({ status: 'failed', failureCode, updatedAt: at })
      .where(and(eq(payouts.id, p.id), eq(payouts.status, 'pending')))
      .returning({ id: payouts.id }),
    ...ledgerStatements(db, payoutReversalTransaction(p.id, p.sellerId, p.amount, p.currency), newId('txn'), at, failed),
  ])
  return moved.length === 1
}

/** Every seller's payouts for staff, newest first, optionally of one status, `limit + 1` rows after the payout id `cursor`. */
export function listAllPayouts(db: Db, status: PayoutRecord['status'] | undefined, limit: number, cursor?: string): Promise<PayoutDetail[]> {
  return db
    .select()
    .from(payouts)
    .where(and(status ? eq(payouts.status, status) : undefined, cursor ? lt(payouts.id, cursor) : undefined))
    .orderBy(desc(payouts.id))
    .limit(limit + 1)
}

/**
 * Payouts still pending that were recorded before `before` (housekeeping asks their job again),
 * but whose transfers started after `since`: the provider keeps a transfer's idempotency key for a
 * day, so a payout older than that is not sent again blindly (a lost answer could mean it was
 * paid); the ledger check `no_stale_pending_payouts` hands it to an operator. A payout held for
 * review starts when it is approved.
 */
export function pendingPayoutsBefore(db: Db, before: string, limit: number, since = ''): Promise<{ id: string }[]> {
  const approvedAt = sql`(SELECT ${riskReviews.decidedAt} FROM ${riskReviews} WHERE ${riskReviews.subjectId} = ${payouts.id} AND ${riskReviews.status} = 'approved')`
  return db
    .select({ id: payouts.id })
    .from(payouts)
    // A payout held by a review that is open (or rejected, its failure still to be written) waits for staff.
    .where(
      and(
        eq(payouts.status, 'pending'),
        lt(payouts.createdAt, before),
        sql`NOT EXISTS (SELECT 1 FROM ${riskReviews} WHERE ${riskReviews.subjectId} = ${payouts.id} AND ${riskReviews.status} <> 'approved')`,
        sql`coalesce(${approvedAt}, ${payouts.createdAt}) > ${since}`,
      ),
    )
    .orderBy(payouts.id)
    .limit(limit)
}
