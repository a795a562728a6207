import { and, asc, eq, isNotNull, isNull, lt } from 'drizzle-orm'
import type { Logger } from '../core/logger'
import type { Db } from '../db/client'
import { inList } from '../db/in-list'
import { orderEvents, orders } from '../db/schema'
import type { EventEnvelope } from '../events/event-envelope'
import { orderEventEnvelope, type OrderEventRow } from './order-event'

/** Sends events to their consumers (src/events/publish-events.ts); throws if they were not all taken. */
export type Publish = (events: EventEnvelope[]) => Promise<void>

/**
 * `order_events` is the orders' outbox: a row is written in the same batch as its transition, and
 * published to the consumers' event queues after it. A row the queue did not take stays unpublished and
 * goes out with the order's next publish, or the housekeeping sweep's.
 */

/** At most 100 events per publish: a queue takes at most 100 messages per batch. */
const BATCH = 100

const eventColumns = {
  eventId: orderEvents.eventId,
  orderId: orderEvents.orderId,
  seq: orderEvents.seq,
  status: orderEvents.status,
  action: orderEvents.action,
  actor: orderEvents.actor,
  reason: orderEvents.reason,
  at: orderEvents.at,
  buyerId: orders.buyerId,
  sellerId: orders.sellerId,
  currency: orders.currency,
  total: orders.total,
  items: orders.items,
}

/** What waits in the outbox: one order's rows, or everything older than `olderThan` (the sweep). */
async function unpublished(db: Db, scope: { orderId: string } | { olderThan: string; limit: number }): Promise<OrderEventRow[]> {
  const waiting = and(isNull(orderEvents.publishedAt), isNotNull(orderEvents.eventId))
  const query = db.select(eventColumns).from(orderEvents).innerJoin(orders, eq(orders.id, orderEvents.orderId))
  const rows =
    'orderId' in scope
      ? await query.where(and(waiting, eq(orderEvents.orderId, scope.orderId))).orderBy(asc(orderEvents.seq))
      : await query.where(and(waiting, lt(orderEvents.at, scope.olderThan))).orderBy(asc(orderEvents.orderId), asc(orderEvents.seq)).limit(scope.limit)
  return rows.map((r) => ({ ...r, eventId: r.eventId ?? '' }))
}

/**
 * Sends rows already read (or just written: a checkout publishes the rows it wrote without
 * reading them back) and marks them published. A failed send leaves them waiting.
 */
export async function publishRows(db: Db, publish: Publish, rows: OrderEventRow[], at: string): Promise<number> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH)
    await publish(batch.map(orderEventEnvelope))
    await db
      .update(orderEvents)
      .set({ publishedAt: at })
      .where(inList(orderEvents.eventId, batch.map((r) => r.eventId)))
  }
  return rows.length
}

/** Publishes what waits in the outbox (see `unpublished`); answers how many went out. */
export async function publishOrderEvents(db: Db, publish: Publish, scope: { orderId: string } | { olderThan: string; limit: number }, at: string): Promise<number> {
  return publishRows(db, publish, await unpublished(db, scope), at)
}

/** After a transition: publish the order's waiting events, never failing the transition itself. */
export async function publishAfterMove(db: Db, publish: Publish, orderId: string, at: string, log: Logger): Promise<void> {
  try {
    await publishOrderEvents(db, publish, { orderId }, at)
  } catch (err) {
    log.warn('order_events_unpublished', { orderId, err })
  }
}
