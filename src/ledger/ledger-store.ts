import type { Currency } from '../core/money'
import { accounts, type LedgerTransaction } from './ledger'
import { ledgerChecks } from './ledger-checks'

/**
 * The ledger's D1 statements. A transaction is written only if its guard holds (the order moved
 * to the status that books it), and at most once per (order, kind): the unique index makes a
 * repeat insert nothing, and its entries follow only the transaction row this batch wrote.
 */
export function ledgerStatements(d1: D1Database, tx: LedgerTransaction, id: string, at: string, guard: { sql: string; params: unknown[] }): D1PreparedStatement[] {
  return [
    d1
      .prepare(`INSERT OR IGNORE INTO ledger_transactions (id, kind, order_id, created_at) SELECT ?, ?, ?, ? WHERE ${guard.sql}`)
      .bind(id, tx.kind, tx.orderId, at, ...guard.params),
    ...tx.entries.map((e) =>
      d1
        .prepare('INSERT INTO ledger_entries (transaction_id, account, amount, currency) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM ledger_transactions WHERE id = ?)')
        .bind(id, e.account, e.amount, e.currency, id),
    ),
  ]
}

export async function accountBalance(d1: D1Database, account: string, currency: Currency): Promise<number> {
  const row = await d1.prepare('SELECT coalesce(sum(amount), 0) AS total FROM ledger_entries WHERE account = ? AND currency = ?').bind(account, currency).first<{ total: number }>()
  return row?.total ?? 0
}

/**
 * A seller's money by currency: `pending`, what their paid orders still in escrow will bring them
 * (net of the platform fee, floored per order as settlement does); `available`, what they can be
 * paid out now.
 */
export async function sellerBalances(d1: D1Database, sellerId: string, feeBps: number): Promise<{ currency: Currency; pending: number; available: number }[]> {
  const [pending, available] = await d1.batch<{ currency: Currency; total: number }>([
    d1
      .prepare(
        `SELECT currency, sum(total - (total * ? / 10000)) AS total FROM orders
         WHERE seller_id = ? AND status IN ('paid', 'shipped', 'in_transit', 'delivered', 'disputed') GROUP BY currency`,
      )
      .bind(feeBps, sellerId),
    d1.prepare('SELECT currency, sum(amount) AS total FROM ledger_entries WHERE account = ? GROUP BY currency').bind(accounts.seller(sellerId)),
  ])
  const byCurrency = new Map<Currency, { pending: number; available: number }>()
  for (const r of pending?.results ?? []) byCurrency.set(r.currency, { pending: r.total, available: 0 })
  for (const r of available?.results ?? []) byCurrency.set(r.currency, { pending: byCurrency.get(r.currency)?.pending ?? 0, available: r.total })
  return [...byCurrency].map(([currency, b]) => ({ currency, ...b }))
}

export type CheckResult = { name: string; law: number; description: string; ok: boolean; violations: Record<string, unknown>[] }

export async function verifyLedger(d1: D1Database): Promise<{ ok: boolean; checks: CheckResult[] }> {
  const results = await d1.batch(ledgerChecks.map((c) => d1.prepare(c.sql)))
  const checks = ledgerChecks.map((c, i) => {
    const violations = (results[i]?.results ?? []) as Record<string, unknown>[]
    return { name: c.name, law: c.law, description: c.description, ok: violations.length === 0, violations }
  })
  return { ok: checks.every((c) => c.ok), checks }
}
