/**
 * Law 3 (no lost money) and law 4 (nothing stuck), checked over the whole database. Each check is
 * one query whose rows are violations; `npm run ledger:verify` runs the same SQL against local D1
 * and `GET /v1/admin/ledger/verify` against the deployment's.
 */
export type LedgerCheck = { name: string; law: 3 | 4; description: string; sql: string }

const escrowed = "('paid', 'shipped', 'in_transit', 'delivered', 'disputed')"

export const ledgerChecks: LedgerCheck[] = [
  {
    name: 'transactions_balance',
    law: 3,
    description: 'Every ledger transaction sums to zero in each currency',
    sql: 'SELECT transaction_id, currency, sum(amount) AS imbalance FROM ledger_entries GROUP BY transaction_id, currency HAVING sum(amount) != 0 LIMIT 20',
  },
  {
    name: 'transactions_have_entries',
    law: 3,
    description: 'Every ledger transaction has at least two entries',
    sql: 'SELECT t.id, count(e.id) AS entries FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id GROUP BY t.id HAVING count(e.id) < 2 LIMIT 20',
  },
  {
    name: 'escrow_matches_orders',
    law: 3,
    description: 'Escrow holds exactly the totals of orders paid and not yet settled, per currency',
    sql: `SELECT currency, sum(ledger) AS escrow, sum(orders) AS owed FROM (
            SELECT currency, amount AS ledger, 0 AS orders FROM ledger_entries WHERE account = 'escrow'
            UNION ALL SELECT currency, 0, total FROM orders WHERE status IN ${escrowed}
          ) GROUP BY currency HAVING sum(ledger) != sum(orders)`,
  },
  {
    name: 'captures_belong_to_orders',
    law: 3,
    description: 'Every captured payment belongs to a paid order or is being refunded',
    sql: `SELECT p.order_id, p.status, o.status AS order_status FROM payments p JOIN orders o ON o.id = p.order_id
          WHERE p.status = 'captured' AND o.status NOT IN ${escrowed.slice(0, -1)}, 'completed') LIMIT 20`,
  },
  {
    name: 'refunds_are_booked',
    law: 3,
    description: 'Every payment being refunded or refunded has its refund in the ledger',
    sql: `SELECT p.order_id, p.status FROM payments p WHERE p.status IN ('refund_pending', 'refunded') AND p.captured = 1
          AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.order_id = p.order_id AND t.kind = 'refund') LIMIT 20`,
  },
  {
    name: 'refunds_complete',
    law: 3,
    description: 'No refund has waited at the provider for more than an hour (a refused one needs a person)',
    sql: "SELECT order_id, updated_at FROM payments WHERE status = 'refund_pending' AND updated_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour') LIMIT 20",
  },
  {
    name: 'failed_payouts_reversed',
    law: 3,
    description: 'Every failed payout is reversed in the ledger once, and only failed payouts are',
    sql: `SELECT p.id, p.status, (SELECT count(*) FROM ledger_transactions t WHERE t.payout_id = p.id AND t.kind = 'payout_reversal') AS reversals FROM payouts p
          WHERE (SELECT count(*) FROM ledger_transactions t WHERE t.payout_id = p.id AND t.kind = 'payout_reversal') != (CASE WHEN p.status = 'failed' THEN 1 ELSE 0 END) LIMIT 20`,
  },
  {
    name: 'no_stale_pending_payouts',
    law: 4,
    description: 'No payout waits for its transfer more than a day',
    sql: "SELECT id, created_at FROM payouts WHERE status = 'pending' AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') LIMIT 20",
  },
  {
    name: 'no_stale_pending_orders',
    law: 4,
    description: 'No order waits for payment more than an hour past its due time',
    sql: "SELECT id, payment_due_at FROM orders WHERE status = 'pending_payment' AND payment_due_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour') LIMIT 20",
  },
]
