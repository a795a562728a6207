import { and, desc, eq, lt, sql } from 'drizzle-orm'
import type { Currency } from '../core/money'
import type { Db } from '../db/client'
import { insertWhere } from '../db/guarded-insert'
import { ledgerEntries, payouts } from '../db/schema'
import { accounts, payoutTransaction } from './ledger'
import { ledgerStatements } from './ledger-store'

export type PayoutRecord = { id: string; sellerId: string; amount: number; currency: Currency; status: 'pending' | 'paid' | 'failed'; createdAt: string }

/**
 * Records a payout and its ledger transaction in one batch, only if the seller's available
 * balance covers it at that moment: D1 runs a batch as one transaction, so two payouts at once
 * cannot both spend the same money. Answers false when the balance did not cover it.
 */
export async function recordPayout(db: Db, p: PayoutRecord, transactionId: string): Promise<boolean> {
  const available = sql`(SELECT coalesce(sum(${ledgerEntries.amount}), 0) FROM ${ledgerEntries} WHERE ${and(eq(ledgerEntries.account, accounts.seller(p.sellerId)), eq(ledgerEntries.currency, p.currency))}) >= ${p.amount}`
  const recorded = sql`EXISTS (SELECT 1 FROM ${payouts} WHERE ${payouts.id} = ${p.id})`
  const [inserted] = await db.batch([
    insertWhere(db, payouts, { id: p.id, sellerId: p.sellerId, amount: p.amount, currency: p.currency, status: 'pending', createdAt: p.createdAt }, available),
    ...ledgerStatements(db, payoutTransaction(p.sellerId, p.amount, p.currency), transactionId, p.createdAt, recorded),
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
