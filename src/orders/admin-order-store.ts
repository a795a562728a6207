import { and, asc, desc, eq, isNotNull, isNull, lt } from 'drizzle-orm'
import type { Db } from '../db/client'
import { abandonedCheckouts, disputes, orders, payments } from '../db/schema'

/** What staff oversee: disputes, and the payments whose money has not gone back yet. */

export type DisputeRow = { orderId: string; reason: string; openedAt: string; outcome: 'refund' | 'release' | null; resolvedAt: string | null; buyerId: string; sellerId: string; total: number; currency: string; status: string }

/** Disputes newest first, `limit + 1` after the order id `cursor`: open ones have no outcome yet. */
export function listDisputes(db: Db, q: { status?: 'open' | 'resolved'; limit: number; cursor?: string }): Promise<DisputeRow[]> {
  return db
    .select({
      orderId: disputes.orderId,
      reason: disputes.reason,
      openedAt: disputes.openedAt,
      outcome: disputes.outcome,
      resolvedAt: disputes.resolvedAt,
      buyerId: orders.buyerId,
      sellerId: orders.sellerId,
      total: orders.total,
      currency: orders.currency,
      status: orders.status,
    })
    .from(disputes)
    .innerJoin(orders, eq(orders.id, disputes.orderId))
    .where(
      and(
        q.status === 'open' ? isNull(disputes.resolvedAt) : q.status === 'resolved' ? isNotNull(disputes.resolvedAt) : undefined,
        q.cursor ? lt(disputes.orderId, q.cursor) : undefined,
      ),
    )
    .orderBy(desc(disputes.orderId))
    .limit(q.limit + 1)
}

export type PendingRefundRow = { orderId: string; provider: string; providerRef: string; amount: number; currency: string; captured: boolean; since: string }

/** Payments still `refund_pending` since before `before`, oldest first: a refund the provider refused or never answered. */
export function pendingRefundsBefore(db: Db, before: string, limit: number): Promise<PendingRefundRow[]> {
  return db
    .select({ orderId: payments.orderId, provider: payments.provider, providerRef: payments.providerRef, amount: payments.amount, currency: payments.currency, captured: payments.captured, since: payments.updatedAt })
    .from(payments)
    .where(and(eq(payments.status, 'refund_pending'), lt(payments.updatedAt, before)))
    .orderBy(asc(payments.updatedAt))
    .limit(limit)
    .then((rows) => rows.map((r) => ({ ...r, providerRef: r.providerRef ?? '' })))
}

/** Whether a checkout was given up before its order was written (its hold lapsed, no payment came), and why. */
export async function abandonedCheckout(db: Db, orderId: string): Promise<{ reason: string; at: string } | undefined> {
  return db.select({ reason: abandonedCheckouts.reason, at: abandonedCheckouts.at }).from(abandonedCheckouts).where(eq(abandonedCheckouts.orderId, orderId)).get()
}
