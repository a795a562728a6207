import type { Currency } from '../core/money'
import type { LedgerTransaction } from '../ledger/ledger'
import { ledgerStatements } from '../ledger/ledger-store'
import type { ActorKind, OrderStatus, Transition } from './order-machine'
import type { OrderBook, PaymentRecord, TransitionEffects } from './order-ports'
import type { OrderRecord } from './order-view'

/**
 * Orders in D1. Writes are plain prepared statements in one `batch` (one transaction): a
 * transition is a conditional update on (status, version), and everything that goes with it (its
 * `order_events` row, ledger entries, extra columns) is guarded by the order having reached the
 * new (status, version), so a transition that lost a race writes nothing at all.
 */
type Row = {
  id: string
  buyer_id: string
  seller_id: string
  status: OrderStatus
  currency: Currency
  total: number
  items: string
  shipping_address: string | null
  checkout_key: string | null
  source: 'checkout' | 'auction'
  payment_method: string | null
  payment_due_at: string | null
  carrier: string | null
  tracking_number: string | null
  delivered_at: string | null
  version: number
  created_at: string
  updated_at: string
}

const toRecord = (r: Row): OrderRecord => ({
  id: r.id,
  buyerId: r.buyer_id,
  sellerId: r.seller_id,
  status: r.status,
  currency: r.currency,
  total: r.total,
  items: JSON.parse(r.items) as OrderRecord['items'],
  shippingAddress: r.shipping_address ? (JSON.parse(r.shipping_address) as Record<string, string>) : null,
  checkoutKey: r.checkout_key,
  source: r.source,
  paymentMethod: r.payment_method,
  paymentDueAt: r.payment_due_at,
  carrier: r.carrier,
  trackingNumber: r.tracking_number,
  deliveredAt: r.delivered_at,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

export async function findOrder(d1: D1Database, id: string): Promise<OrderRecord | undefined> {
  const row = await d1.prepare('SELECT * FROM orders WHERE id = ?').bind(id).first<Row>()
  return row ? toRecord(row) : undefined
}

export async function findOrderByCheckoutKey(d1: D1Database, buyerId: string, key: string): Promise<OrderRecord | undefined> {
  const row = await d1.prepare('SELECT * FROM orders WHERE buyer_id = ? AND checkout_key = ?').bind(buyerId, key).first<Row>()
  return row ? toRecord(row) : undefined
}

/**
 * Creates a `pending_payment` order unless one exists under the same id or the same (buyer,
 * checkout key); answers with the order that exists after. Safe to run any number of times.
 */
export async function createOrder(d1: D1Database, o: OrderRecord, actor: ActorKind, eventId: string): Promise<OrderRecord> {
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO orders (id, buyer_id, seller_id, status, currency, total, items, shipping_address, checkout_key, source, payment_method, payment_due_at, version, created_at, updated_at)
         VALUES (?, ?, ?, 'pending_payment', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(
        o.id,
        o.buyerId,
        o.sellerId,
        o.currency,
        o.total,
        JSON.stringify(o.items),
        o.shippingAddress ? JSON.stringify(o.shippingAddress) : null,
        o.checkoutKey,
        o.source,
        o.paymentMethod,
        o.paymentDueAt,
        o.createdAt,
        o.createdAt,
      ),
    d1
      .prepare(`INSERT OR IGNORE INTO order_events (order_id, seq, status, action, actor, at, event_id) SELECT id, 1, 'pending_payment', 'create', ?, created_at, ? FROM orders WHERE id = ?`)
      .bind(actor, eventId, o.id),
  ])
  // The key decides which order a checkout is (a concurrent twin may have won); else the id.
  const existing = (o.checkoutKey ? await findOrderByCheckoutKey(d1, o.buyerId, o.checkoutKey) : undefined) ?? (await findOrder(d1, o.id))
  if (!existing) throw new Error(`order ${o.id} neither created nor found`)
  return existing
}

/** Ties an order made elsewhere (an auction win) to the buyer's checkout key, once. */
export async function adoptOrder(d1: D1Database, orderId: string, buyerId: string, key: string, shippingAddress: Record<string, string>, paymentMethod: string): Promise<boolean> {
  const result = await d1
    .prepare('UPDATE orders SET checkout_key = ?, shipping_address = ?, payment_method = ? WHERE id = ? AND buyer_id = ? AND checkout_key IS NULL')
    .bind(key, JSON.stringify(shippingAddress), paymentMethod, orderId, buyerId)
    .run()
  return result.meta.changes === 1
}

export type TransitionWrite = {
  orderId: string
  transition: Transition
  actor: ActorKind
  at: string
  /** The id its event goes out under (order-outbox-store.ts). */
  eventId: string
  reason?: string
  /** Extra columns set with the move (e.g. the shipment). */
  set?: Partial<Record<'carrier' | 'tracking_number' | 'delivered_at', string>>
  ledger?: { tx: LedgerTransaction; id: string }
  /** Further statements that belong to the move (payment rows, disputes, reviews): guarded by it. */
  also?: (guard: { sql: string; params: unknown[] }) => D1PreparedStatement[]
}

/** Applies a transition decided by the order machine: 'moved', or 'stale' when the order had moved on. */
export async function applyTransition(d1: D1Database, w: TransitionWrite): Promise<'moved' | 'stale'> {
  const { from, to, version, action } = w.transition
  const next = version + 1
  const columns = Object.entries(w.set ?? {})
  const guard = { sql: 'EXISTS (SELECT 1 FROM orders WHERE id = ? AND version = ? AND status = ?)', params: [w.orderId, next, to] }
  const [moved] = await d1.batch([
    d1
      .prepare(
        `UPDATE orders SET status = ?, version = ?, updated_at = ?${columns.map(([c]) => `, ${c} = ?`).join('')}
         WHERE id = ? AND status = ? AND version = ?`,
      )
      .bind(to, next, w.at, ...columns.map(([, v]) => v), w.orderId, from, version),
    d1
      .prepare(`INSERT OR IGNORE INTO order_events (order_id, seq, status, action, actor, reason, at, event_id) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`)
      .bind(w.orderId, next, to, action, w.actor, w.reason ?? null, w.at, w.eventId, ...guard.params),
    ...(w.ledger ? ledgerStatements(d1, w.ledger.tx, w.ledger.id, w.at, guard) : []),
    ...(w.also ? w.also(guard) : []),
  ])
  return (moved?.meta.changes ?? 0) === 1 ? 'moved' : 'stale'
}

export async function orderHistory(d1: D1Database, orderId: string): Promise<{ status: OrderStatus; at: string }[]> {
  const { results } = await d1.prepare('SELECT status, at FROM order_events WHERE order_id = ? ORDER BY seq').bind(orderId).all<{ status: OrderStatus; at: string }>()
  return results
}

/** The caller's orders as buyer or seller, newest first, `limit + 1` rows. */
export async function listOrders(
  d1: D1Database,
  userId: string,
  role: 'buyer' | 'seller',
  limit: number,
  status?: OrderStatus,
  after?: string,
): Promise<OrderRecord[]> {
  const column = role === 'buyer' ? 'buyer_id' : 'seller_id'
  const { results } = await d1
    .prepare(`SELECT * FROM orders WHERE ${column} = ? AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4`)
    .bind(userId, status ?? null, after ?? null, limit + 1)
    .all<Row>()
  return results.map(toRecord)
}

/** Orders still waiting for payment after they were due, oldest first (the housekeeping backstop). */
export async function overduePendingOrders(d1: D1Database, now: string, limit: number): Promise<OrderRecord[]> {
  const { results } = await d1
    .prepare("SELECT * FROM orders WHERE status = 'pending_payment' AND payment_due_at < ? ORDER BY payment_due_at LIMIT ?")
    .bind(now, limit)
    .all<Row>()
  return results.map(toRecord)
}

/**
 * Cancelled orders whose payment outcome was still unknown when they were cancelled (their hold
 * lapsed, or they timed out) and that have no payment recorded, due within `since`: money may
 * sit at the provider for them. The housekeeping backstop asks about each once more.
 */
export async function possiblyPaidCancelledOrders(d1: D1Database, since: string, limit: number): Promise<OrderRecord[]> {
  const { results } = await d1
    .prepare(
      `SELECT o.* FROM orders o WHERE o.status = 'cancelled' AND o.payment_method IS NOT NULL AND o.payment_due_at > ?
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)
       AND EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.status = 'cancelled' AND e.reason IN ('hold_expired', 'payment_timeout'))
       ORDER BY o.payment_due_at LIMIT ?`,
    )
    .bind(since, limit)
    .all<Row>()
  return results.map(toRecord)
}

export async function findOrderByShipment(d1: D1Database, carrier: string, trackingNumber: string): Promise<OrderRecord | undefined> {
  const row = await d1.prepare('SELECT * FROM orders WHERE carrier = ? AND tracking_number = ?').bind(carrier, trackingNumber).first<Row>()
  return row ? toRecord(row) : undefined
}

type PaymentRow = {
  id: string
  order_id: string
  provider: string
  provider_ref: string
  amount: number
  currency: Currency
  status: PaymentRecord['status']
  captured: number
}

export async function findPayment(d1: D1Database, orderId: string): Promise<PaymentRecord | undefined> {
  const r = await d1.prepare('SELECT * FROM payments WHERE order_id = ?').bind(orderId).first<PaymentRow>()
  if (!r) return undefined
  return { id: r.id, orderId: r.order_id, provider: r.provider, providerRef: r.provider_ref, amount: r.amount, currency: r.currency, status: r.status, captured: r.captured === 1 }
}

/** The statements a transition's effects add to its batch, each guarded by the move itself. */
function effectStatements(d1: D1Database, orderId: string, fx: TransitionEffects, at: string, guard: { sql: string; params: unknown[] }): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = []
  if (fx.payment) {
    const p = fx.payment
    out.push(
      d1
        .prepare(
          `INSERT OR IGNORE INTO payments (id, order_id, provider, provider_ref, amount, currency, status, captured, created_at, updated_at)
           SELECT ?, ?, ?, ?, ?, ?, 'captured', 1, ?, ? WHERE ${guard.sql}`,
        )
        .bind(p.id, orderId, p.provider, p.providerRef, p.amount, p.currency, at, at, ...guard.params),
    )
  }
  if (fx.refundDue) {
    out.push(
      d1.prepare(`UPDATE payments SET status = 'refund_pending', updated_at = ? WHERE order_id = ? AND status = 'captured' AND ${guard.sql}`).bind(at, orderId, ...guard.params),
    )
  }
  if (fx.dispute && 'open' in fx.dispute) {
    out.push(d1.prepare(`INSERT OR IGNORE INTO disputes (order_id, reason, opened_at) SELECT ?, ?, ? WHERE ${guard.sql}`).bind(orderId, fx.dispute.open, at, ...guard.params))
  } else if (fx.dispute) {
    out.push(
      d1.prepare(`UPDATE disputes SET outcome = ?, resolved_at = ? WHERE order_id = ? AND outcome IS NULL AND ${guard.sql}`).bind(fx.dispute.outcome, at, orderId, ...guard.params),
    )
  }
  return out
}

/**
 * The OrderBook port over D1. `afterWrite` runs after a write that may have added `order_events`
 * rows (publishing them); it must not throw.
 */
export function d1OrderBook(d1: D1Database, newId: (prefix: 'txn' | 'evt') => string, afterWrite: (orderId: string) => Promise<void> = () => Promise.resolve()): OrderBook {
  return {
    get: (id) => findOrder(d1, id),
    findByCheckoutKey: (buyerId, key) => findOrderByCheckoutKey(d1, buyerId, key),
    findByShipment: (carrier, trackingNumber) => findOrderByShipment(d1, carrier, trackingNumber),
    async create(order) {
      const created = await createOrder(d1, order, 'buyer', newId('evt'))
      await afterWrite(created.id)
      return created
    },
    adopt: (orderId, buyerId, key, address, paymentMethod) => adoptOrder(d1, orderId, buyerId, key, address, paymentMethod),
    payment: (orderId) => findPayment(d1, orderId),
    async move(order, transition, actor, fx, at) {
      const moved = await applyTransition(d1, {
        orderId: order.id,
        transition,
        actor,
        at,
        eventId: newId('evt'),
        ...(fx.reason ? { reason: fx.reason } : {}),
        set: {
          ...(fx.shipment ? { carrier: fx.shipment.carrier, tracking_number: fx.shipment.trackingNumber } : {}),
          ...(fx.deliveredAt ? { delivered_at: fx.deliveredAt } : {}),
        },
        ...(fx.ledger ? { ledger: { tx: fx.ledger, id: newId('txn') } } : {}),
        also: (guard) => effectStatements(d1, order.id, fx, at, guard),
      })
      if (moved === 'moved') await afterWrite(order.id)
      return moved
    },
    async recordLateMoney(order, p, refund, capture, at) {
      // Books only for a payment recorded as captured on a cancelled order; the unique (order,
      // kind) index keeps each transaction to one, however many paths report the same money.
      const guard = { sql: "EXISTS (SELECT 1 FROM payments WHERE order_id = ? AND captured = 1) AND EXISTS (SELECT 1 FROM orders WHERE id = ? AND status = 'cancelled')", params: [order.id, order.id] }
      await d1.batch([
        d1
          .prepare(
            `INSERT OR IGNORE INTO payments (id, order_id, provider, provider_ref, amount, currency, status, captured, created_at, updated_at)
             SELECT ?, ?, ?, ?, ?, ?, 'refund_pending', ?, ?, ? WHERE EXISTS (SELECT 1 FROM orders WHERE id = ? AND status = 'cancelled')`,
          )
          .bind(p.id, order.id, p.provider, p.providerRef, p.amount, p.currency, p.captured ? 1 : 0, at, at, order.id),
        // An authorization recorded first (to void) whose capture then landed: the row learns it was captured.
        ...(p.captured ? [d1.prepare('UPDATE payments SET captured = 1, updated_at = ? WHERE order_id = ? AND captured = 0').bind(at, order.id)] : []),
        ...(capture ? ledgerStatements(d1, capture, newId('txn'), at, guard) : []),
        ...(refund ? ledgerStatements(d1, refund, newId('txn'), at, guard) : []),
      ])
    },
    async markRefunded(orderId, at) {
      await d1.prepare("UPDATE payments SET status = 'refunded', updated_at = ? WHERE order_id = ? AND status = 'refund_pending'").bind(at, orderId).run()
    },
  }
}
