import type { Currency } from '../core/money'
import { accounts, payoutTransaction } from './ledger'
import { ledgerStatements } from './ledger-store'

export type PayoutRecord = { id: string; sellerId: string; amount: number; currency: Currency; status: 'pending' | 'paid' | 'failed'; createdAt: string }

/**
 * Records a payout and its ledger transaction in one batch, only if the seller's available
 * balance covers it at that moment: D1 runs a batch as one transaction, so two payouts at once
 * cannot both spend the same money. Answers false when the balance did not cover it.
 */
export async function recordPayout(d1: D1Database, p: PayoutRecord, transactionId: string): Promise<boolean> {
  const guard = { sql: 'EXISTS (SELECT 1 FROM payouts WHERE id = ?)', params: [p.id] }
  const [inserted] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO payouts (id, seller_id, amount, currency, status, created_at)
         SELECT ?, ?, ?, ?, 'pending', ? WHERE (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account = ? AND currency = ?) >= ?`,
      )
      .bind(p.id, p.sellerId, p.amount, p.currency, p.createdAt, accounts.seller(p.sellerId), p.currency, p.amount),
    ...ledgerStatements(d1, payoutTransaction(p.sellerId, p.amount, p.currency), transactionId, p.createdAt, guard),
  ])
  return (inserted?.meta.changes ?? 0) === 1
}
