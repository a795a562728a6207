import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertWhere } from '../db/guarded-insert'
import { abandonedCheckouts, disputes, orderEvents, orders, payments, riskReviews } from '../db/schema'
import type { LedgerTransaction } from '../ledger/ledger'
import { ledgerStatements } from '../ledger/ledger-store'
import type { HistoryRow, OrderDraft } from './order-draft'
import type { ActorKind, OrderStatus, Transition } from './order-machine'
import type { PaymentRecord, TransitionEffects } from './order-ports'
import type { OrderRecord } from './order-view'

/**
 * Writing orders to D1. Every write is one batch (one transaction): a transition is a
 * conditional update on (status, version), and everything that goes with it (its `order_events`
 * row, ledger lines, payment, dispute) is guarded by the order having reached the new
 * (status, version), so a move that lost a race writes nothing. `order_events` is also the
 * orders' outbox (order-outbox-store.ts publishes it).
 */

/** True in a batch once the order stands at `status` and `version`. */
const orderAt = (orderId: string, status: OrderStatus, version: number): SQL =>
  sql`EXISTS (SELECT 1 FROM ${orders} WHERE ${and(eq(orders.id, orderId), eq(orders.version, version), eq(orders.status, status))})`

const historyRows = (db: Db, orderId: string, rows: HistoryRow[], eventIds: string[], guard: SQL) =>
  rows.map((h, i) => insertWhere(db, orderEvents, { orderId, seq: h.seq, status: h.status, action: h.action, actor: h.actor, reason: h.reason, at: h.at, eventId: eventIds[i] ?? null }, guard))

export type TransitionWrite = {
  orderId: string
  transition: Transition
  actor: ActorKind
  at: string
  /** The id its event goes out under. */
  eventId: string
  effects: TransitionEffects
  /** Ids for the ledger transaction and the payment row, when the effects book any. */
  ids: { ledger: string; payment: string }
}

/** Applies a transition decided by the order machine: 'moved', or 'stale' when the order had moved on. */
export async function applyTransition(db: Db, w: TransitionWrite): Promise<'moved' | 'stale'> {
  const { from, to, version, action } = w.transition
  const fx = w.effects
  const guard = orderAt(w.orderId, to, version + 1)
  const [moved] = await db.batch([
    db
      .update(orders)
      .set({
        status: to,
        version: version + 1,
        updatedAt: w.at,
        ...(fx.shipment ? { carrier: fx.shipment.carrier, trackingNumber: fx.shipment.trackingNumber } : {}),
        ...(fx.deliveredAt ? { deliveredAt: fx.deliveredAt } : {}),
      })
      .where(and(eq(orders.id, w.orderId), eq(orders.status, from), eq(orders.version, version)))
      .returning({ id: orders.id }),
    ...historyRows(db, w.orderId, [{ seq: version + 1, status: to, action, actor: w.actor, reason: fx.reason ?? null, at: w.at }], [w.eventId], guard),
    ...(fx.ledger ? ledgerStatements(db, fx.ledger, w.ids.ledger, w.at, guard) : []),
    ...effectStatements(db, w.orderId, fx, w.ids.payment, w.at, guard),
  ])
  return moved.length === 1 ? 'moved' : 'stale'
}

/** The statements a transition's effects add to its batch, each guarded by the move itself. */
function effectStatements(db: Db, orderId: string, fx: TransitionEffects, paymentId: string, at: string, guard: SQL) {
  const out = []
  if (fx.payment) {
    const p = fx.payment
    out.push(insertWhere(db, payments, { id: paymentId, orderId, provider: p.provider, providerRef: p.providerRef, amount: p.amount, currency: p.currency, status: 'captured', captured: true, createdAt: at, updatedAt: at }, guard))
  }
  if (fx.refundDue) {
    out.push(db.update(payments).set({ status: 'refund_pending', updatedAt: at }).where(and(eq(payments.orderId, orderId), eq(payments.status, 'captured'), guard)))
  }
  if (fx.dispute && 'open' in fx.dispute) {
    out.push(insertWhere(db, disputes, { orderId, reason: fx.dispute.open, openedAt: at }, guard))
  } else if (fx.dispute) {
    out.push(db.update(disputes).set({ outcome: fx.dispute.outcome, resolvedAt: at }).where(and(eq(disputes.orderId, orderId), isNull(disputes.outcome), guard)))
  }
  return out
}

/** A payment a checkout's order is written with: the provider's charge, captured. */
export type CapturedPayment = { id: string; provider: string; providerRef: string }

export type CheckoutWrite = {
  draft: OrderDraft
  history: HistoryRow[]
  eventIds: string[]
  payment?: CapturedPayment
  ledger?: { tx: LedgerTransaction; id: string }
  /** An order held for review: its place in the review queue, written with it. */
  review?: { id: string; reasons: string[]; score: number | null; paymentRef: string }
}

/**
 * Writes a checkout's order in one batch (PAYMENTS.md saga step record-order): the order at its first
 * status, its history, and for a paid one its payment and ledger capture, the history rows being
 * its outbox. Never paid or pending over an order given up (abandoned_checkouts; a cancelled one
 * may, that is how money found for it is recorded), never twice: 'exists' when the order was
 * already written (a retry, or reconciliation got there first).
 */
export async function writeCheckoutOrder(db: Db, w: CheckoutWrite): Promise<'recorded' | 'exists' | 'abandoned'> {
  const { draft } = w
  const last = w.history.at(-1)
  if (!last) throw new Error('an order is written with its history')
  const notAbandoned =
    last.status === 'cancelled' ? sql`1 = 1` : sql`NOT EXISTS (SELECT 1 FROM ${abandonedCheckouts} WHERE ${abandonedCheckouts.orderId} = ${draft.id})`
  const row = {
    ...draft,
    status: last.status,
    source: 'checkout' as const,
    version: last.seq,
    updatedAt: last.at,
  }
  const guard = orderAt(draft.id, last.status, last.seq)
  const [inserted, abandoned] = await db.batch([
    insertWhere(db, orders, row, notAbandoned),
    db.select({ orderId: abandonedCheckouts.orderId }).from(abandonedCheckouts).where(eq(abandonedCheckouts.orderId, draft.id)),
    ...historyRows(db, draft.id, w.history, w.eventIds, guard),
    ...(w.payment ? [insertWhere(db, payments, { id: w.payment.id, orderId: draft.id, provider: w.payment.provider, providerRef: w.payment.providerRef, amount: draft.total, currency: draft.currency, status: 'captured', captured: true, createdAt: last.at, updatedAt: last.at }, guard)] : []),
    ...(w.ledger ? ledgerStatements(db, w.ledger.tx, w.ledger.id, last.at, guard) : []),
    ...(w.review
      ? [insertWhere(db, riskReviews, { id: w.review.id, kind: 'order', subjectId: draft.id, userId: draft.buyerId, reasons: JSON.stringify(w.review.reasons), score: w.review.score, paymentRef: w.review.paymentRef, status: 'open', createdAt: last.at }, guard)]
      : []),
  ])
  if (inserted.meta.changes === 1) return 'recorded'
  return abandoned.length > 0 && last.status !== 'cancelled' ? 'abandoned' : 'exists'
}

/**
 * Gives up a checkout whose order was never written (its hold lapsed, or no payment came in
 * time): from now on it can never be recorded as paid. Answers the order if one was written
 * after all, which then decides instead.
 */
export async function abandonCheckout(db: Db, orderId: string, reason: string, at: string): Promise<OrderRecord | undefined> {
  const [, found] = await db.batch([
    insertWhere(db, abandonedCheckouts, { orderId, reason, at }, sql`NOT EXISTS (SELECT 1 FROM ${orders} WHERE ${orders.id} = ${orderId})`),
    db.select().from(orders).where(eq(orders.id, orderId)),
  ])
  return found[0]
}

/** Creates an order made elsewhere (an auction win) unless it exists; answers what exists after. */
export async function createOrder(db: Db, o: OrderRecord, actor: ActorKind, eventId: string): Promise<OrderRecord> {
  const [, , existing] = await db.batch([
    db.insert(orders).values({ ...o, status: 'pending_payment', version: 1 }).onConflictDoNothing(),
    insertWhere(db, orderEvents, { orderId: o.id, seq: 1, status: 'pending_payment', action: 'create', actor, at: o.createdAt, eventId }, sql`EXISTS (SELECT 1 FROM ${orders} WHERE ${orders.id} = ${o.id})`),
    db.select().from(orders).where(eq(orders.id, o.id)),
  ])
  const order = existing[0]
  if (!order) throw new Error(`order ${o.id} neither created nor found`)
  return order
}

/** Ties an order made elsewhere (an auction win) to the buyer's checkout key, once. */
export async function adoptOrder(db: Db, orderId: string, buyerId: string, key: string, shippingAddress: string, paymentMethod: string): Promise<boolean> {
  const adopted = await db
    .update(orders)
    .set({ checkoutKey: key, shippingAddress, paymentMethod })
    .where(and(eq(orders.id, orderId), eq(orders.buyerId, buyerId), isNull(orders.checkoutKey)))
    .returning({ id: orders.id })
  return adopted.length === 1
}

/**
 * Money that reached a cancelled order (a late capture, or an authorization to void): recorded
 * as due back, with the ledger's capture and refund when it was captured. The unique (order, kind)
 * index keeps each transaction to one, however many paths report the same money.
 */
export async function recordLateMoney(
  db: Db,
  order: OrderRecord,
  p: Omit<PaymentRecord, 'status'>,
  books: { capture: { tx: LedgerTransaction; id: string }; refund: { tx: LedgerTransaction; id: string } } | null,
  at: string,
): Promise<void> {
  const cancelled = sql`EXISTS (SELECT 1 FROM ${orders} WHERE ${and(eq(orders.id, order.id), eq(orders.status, 'cancelled'))})`
  const capturedHere = sql`EXISTS (SELECT 1 FROM ${payments} WHERE ${and(eq(payments.orderId, order.id), eq(payments.captured, true))}) AND ${cancelled}`
  await db.batch([
    insertWhere(db, payments, { id: p.id, orderId: order.id, provider: p.provider, providerRef: p.providerRef, amount: p.amount, currency: p.currency, status: 'refund_pending', captured: p.captured, createdAt: at, updatedAt: at }, cancelled),
    // An authorization recorded first (to void) whose capture then landed: the row learns it was captured.
    db.update(payments).set({ captured: p.captured, updatedAt: at }).where(and(eq(payments.orderId, order.id), eq(payments.captured, false), sql`${p.captured ? 1 : 0} = 1`)),
    ...(books ? [...ledgerStatements(db, books.capture.tx, books.capture.id, at, capturedHere), ...ledgerStatements(db, books.refund.tx, books.refund.id, at, capturedHere)] : []),
  ])
}

export async function markRefunded(db: Db, orderId: string, at: string): Promise<void> {
  await db.update(payments).set({ status: 'refunded', updatedAt: at }).where(and(eq(payments.orderId, orderId), eq(payments.status, 'refund_pending')))
}
