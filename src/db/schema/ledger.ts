import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { Currency } from '../../core/money'

/**
 * Money: the double-entry ledger and payouts.
 * Conventions of every table: src/db/schema.ts.
 */

/** Double-entry ledger: each transaction's entries sum to zero per currency (ledger.ts). */
export const ledgerTransactions = sqliteTable(
  'ledger_transactions',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['capture', 'settle', 'refund', 'payout', 'payout_reversal'] }).notNull(),
    orderId: text('order_id'),
    /** The payout a `payout` or `payout_reversal` transaction books (null for payouts recorded before migration 0019). */
    payoutId: text('payout_id'),
    createdAt: text('created_at').notNull(),
  },
  // At most one capture, one settlement and one refund per order, and one payout and one reversal
  // per payout, whatever retries happen.
  (t) => [uniqueIndex('ledger_transactions_order_kind_unique').on(t.orderId, t.kind), uniqueIndex('ledger_transactions_payout_kind_unique').on(t.payoutId, t.kind)],
)

export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    transactionId: text('transaction_id').notNull(),
    account: text('account').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').$type<Currency>().notNull(),
  },
  (t) => [index('ledger_entries_account_idx').on(t.account, t.currency), index('ledger_entries_transaction_idx').on(t.transactionId)],
)

export const payouts = sqliteTable(
  'payouts',
  {
    id: text('id').primaryKey(),
    sellerId: text('seller_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').$type<Currency>().notNull(),
    /** `pending` until the payout provider's transfer answers: `paid`, or `failed` with the money back in the seller's balance (docs/PAYMENTS.md). */
    status: text('status', { enum: ['pending', 'paid', 'failed'] }).notNull(),
    createdAt: text('created_at').notNull(),
    /** When the status last changed (null while it never did). */
    updatedAt: text('updated_at'),
    /** The provider's transfer (`tr_…`), once paid. */
    transferReference: text('transfer_reference'),
    /** Why the provider refused the transfer, once failed. */
    failureCode: text('failure_code'),
  },
  (t) => [index('payouts_seller_idx').on(t.sellerId, t.id), index('payouts_status_idx').on(t.status, t.id)],
)
