import { and, eq, inArray, sql, sum, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertWhere } from '../db/guarded-insert'
import { ledgerEntries, ledgerTransactions, orders } from '../db/schema'
import type { Currency } from '../core/money'
import { accounts, type LedgerTransaction } from './ledger'
import { ledgerChecks } from './ledger-checks'

/**
 * The ledger in D1. A transaction is written only if its guard holds (the order or payout moved to
 * the status that books it), and at most once per (order, kind) and per (payout, kind): the unique
 * indexes make a repeat insert nothing, and its entries follow only the transaction row this batch wrote.
 */
export function ledgerStatements(db: Db, tx: LedgerTransaction, id: string, at: string, guard: SQL) {
  const written = sql`EXISTS (SELECT 1 FROM ${ledgerTransactions} WHERE ${ledgerTransactions.id} = ${id})`
  return [
    insertWhere(db, ledgerTransactions, { id, kind: tx.kind, orderId: tx.orderId, payoutId: tx.payoutId ?? null, createdAt: at }, guard),
    ...tx.entries.map((e) => insertWhere(db, ledgerEntries, { transactionId: id, account: e.account, amount: e.amount, currency: e.currency }, written)),
  ]
}

const escrowed = ['paid', 'shipped', 'in_transit', 'delivered', 'disputed'] as const

/**
 * A seller's money by currency: `pending`, what their paid orders still in escrow will bring them
 * (net of the platform fee, floored per order as settlement does); `available`, what they can be
 * paid out now.
 */
export async function sellerBalances(db: Db, sellerId: string, feeBps: number): Promise<{ currency: Currency; pending: number; available: number }[]> {
  const [pending, available] = await db.batch([
    db
      .select({ currency: orders.currency, total: sql<number>`sum(${orders.total} - (${orders.total} * ${feeBps} / 10000))` })
      .from(orders)
      .where(and(eq(orders.sellerId, sellerId), inArray(orders.status, [...escrowed])))
      .groupBy(orders.currency),
    db
      .select({ currency: ledgerEntries.currency, total: sum(ledgerEntries.amount).mapWith(Number) })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.account, accounts.seller(sellerId)))
      .groupBy(ledgerEntries.currency),
  ])
  const byCurrency = new Map<Currency, { pending: number; available: number }>()
  for (const r of pending) byCurrency.set(r.currency, { pending: r.total, available: 0 })
  for (const r of available) byCurrency.set(r.currency, { pending: byCurrency.get(r.currency)?.pending ?? 0, available: r.total })
  return [...byCurrency].map(([currency, b]) => ({ currency, ...b }))
}

export type CheckResult = { name: string; law: number; description: string; ok: boolean; violations: Record<string, unknown>[] }

/** Runs every check of ledger-checks.ts (SQL shared with `npm run ledger:verify`) in one batch. */
export async function verifyLedger(d1: D1Database): Promise<{ ok: boolean; checks: CheckResult[] }> {
  const results = await d1.batch(ledgerChecks.map((c) => d1.prepare(c.sql)))
  const checks = ledgerChecks.map((c, i) => {
    const violations = (results[i]?.results ?? []) as Record<string, unknown>[]
    return { name: c.name, law: c.law, description: c.description, ok: violations.length === 0, violations }
  })
  return { ok: checks.every((c) => c.ok), checks }
}
