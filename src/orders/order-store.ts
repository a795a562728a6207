import { and, asc, desc, eq, exists, gt, inArray, isNotNull, lt, notExists, or, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { inList } from '../db/in-list'
import { orderEvents, orders, payments } from '../db/schema'
import type { OrderStatus } from './order-machine'
import type { PaymentRecord } from './order-ports'
import type { OrderRecord } from './order-view'

/**
 * Reading orders from D1 (drizzle, typed by src/db/schema.ts: a row is an OrderRecord). Writes
 * are in order-write-store.ts.
 */
export type History = { status: OrderStatus; at: string }[]

export const findOrder = (db: Db, id: string): Promise<OrderRecord | undefined> => db.select().from(orders).where(eq(orders.id, id)).get()

export const findOrderByShipment = (db: Db, carrier: string, trackingNumber: string): Promise<OrderRecord | undefined> =>
  db.select().from(orders).where(and(eq(orders.carrier, carrier), eq(orders.trackingNumber, trackingNumber))).get()

export async function orderHistory(db: Db, orderId: string): Promise<History> {
  return db.select({ status: orderEvents.status, at: orderEvents.at }).from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.seq))
}

/** The histories of several orders in one query, by order id. */
export async function orderHistories(db: Db, orderIds: string[]): Promise<Map<string, History>> {
  const byOrder = new Map<string, History>(orderIds.map((id) => [id, []]))
  if (orderIds.length === 0) return byOrder
  const rows = await db
    .select({ orderId: orderEvents.orderId, status: orderEvents.status, at: orderEvents.at })
    .from(orderEvents)
    .where(inList(orderEvents.orderId, orderIds))
    .orderBy(asc(orderEvents.orderId), asc(orderEvents.seq))
  for (const r of rows) byOrder.get(r.orderId)?.push({ status: r.status, at: r.at })
  return byOrder
}

/** Where a page of orders ends: lists run newest first by creation, then id. */
export const orderCursor = (o: Pick<OrderRecord, 'createdAt' | 'id'>): string => `${o.createdAt}|${o.id}`

function afterCursor(cursor: string | undefined): SQL | undefined {
  const [createdAt, id] = cursor?.split('|') ?? []
  if (!createdAt || !id) return undefined
  return or(lt(orders.createdAt, createdAt), and(eq(orders.createdAt, createdAt), lt(orders.id, id)))
}

/** The caller's orders as buyer or seller, newest first, `limit + 1` rows after `cursor`. */
export function listOrders(db: Db, userId: string, role: 'buyer' | 'seller', limit: number, status?: OrderStatus, cursor?: string): Promise<OrderRecord[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(role === 'buyer' ? orders.buyerId : orders.sellerId, userId), status ? eq(orders.status, status) : undefined, afterCursor(cursor)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit + 1)
}

/** Orders still waiting for payment after they were due, oldest first (the housekeeping backstop). */
export function overduePendingOrders(db: Db, now: string, limit: number): Promise<OrderRecord[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'pending_payment'), lt(orders.paymentDueAt, now)))
    .orderBy(asc(orders.paymentDueAt))
    .limit(limit)
}

/**
 * Cancelled orders whose payment outcome was still unknown when they were cancelled (their hold
 * lapsed, or they timed out) and that have no payment recorded, due within `since`: money may
 * sit at the provider for them. The housekeeping backstop asks about each once more.
 */
export function possiblyPaidCancelledOrders(db: Db, since: string, limit: number): Promise<OrderRecord[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, 'cancelled'),
        isNotNull(orders.paymentMethod),
        gt(orders.paymentDueAt, since),
        notExists(db.select({ id: payments.id }).from(payments).where(eq(payments.orderId, orders.id))),
        exists(
          db
            .select({ seq: orderEvents.seq })
            .from(orderEvents)
            .where(and(eq(orderEvents.orderId, orders.id), eq(orderEvents.status, 'cancelled'), inArray(orderEvents.reason, ['hold_expired', 'payment_timeout']))),
        ),
      ),
    )
    .orderBy(asc(orders.paymentDueAt))
    .limit(limit)
}

export async function findPayment(db: Db, orderId: string): Promise<PaymentRecord | undefined> {
  const row = await db.select().from(payments).where(eq(payments.orderId, orderId)).get()
  if (!row) return undefined
  return { id: row.id, orderId: row.orderId, provider: row.provider, providerRef: row.providerRef ?? '', amount: row.amount, currency: row.currency, status: row.status, captured: row.captured }
}
