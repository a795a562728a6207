import type { Currency } from '../core/money'
import type { Logger } from '../core/logger'
import type { OrderStatus } from './order-machine'
import { orderEventEnvelope, type OrderEventRow } from './order-event'

/**
 * `order_events` is the orders' outbox: a row is written in the same batch as its transition, and
 * published to the `events` queue after it. A row the queue did not take stays unpublished and
 * goes out with the order's next publish, or the housekeeping sweep's.
 */
type Row = {
  event_id: string
  order_id: string
  seq: number
  status: OrderStatus
  action: string
  actor: string
  reason: string | null
  at: string
  buyer_id: string
  seller_id: string
  currency: Currency
  total: number
  items: string
}

const toEventRow = (r: Row): OrderEventRow => ({
  eventId: r.event_id,
  orderId: r.order_id,
  seq: r.seq,
  status: r.status,
  action: r.action,
  actor: r.actor,
  reason: r.reason,
  at: r.at,
  buyerId: r.buyer_id,
  sellerId: r.seller_id,
  currency: r.currency,
  total: r.total,
  items: JSON.parse(r.items) as OrderEventRow['items'],
})

/** The queue takes at most 100 messages per batch. */
const BATCH = 100

/**
 * Publishes what waits in the outbox: one order's rows (after its transition), or everything
 * older than `olderThan` (the sweep). Answers how many went out; a failed send leaves them waiting.
 */
export async function publishOrderEvents(d1: D1Database, queue: Queue, scope: { orderId: string } | { olderThan: string; limit: number }, at: string): Promise<number> {
  const { results } =
    'orderId' in scope
      ? await d1
          .prepare(
            `SELECT e.*, o.buyer_id, o.seller_id, o.currency, o.total, o.items FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE e.order_id = ? AND e.published_at IS NULL AND e.event_id IS NOT NULL ORDER BY e.seq`,
          )
          .bind(scope.orderId)
          .all<Row>()
      : await d1
          .prepare(
            `SELECT e.*, o.buyer_id, o.seller_id, o.currency, o.total, o.items FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE e.published_at IS NULL AND e.event_id IS NOT NULL AND e.at < ? ORDER BY e.order_id, e.seq LIMIT ?`,
          )
          .bind(scope.olderThan, scope.limit)
          .all<Row>()
  for (let i = 0; i < results.length; i += BATCH) {
    const rows = results.slice(i, i + BATCH)
    await queue.sendBatch(rows.map((r) => ({ body: orderEventEnvelope(toEventRow(r)), contentType: 'json' as const })))
    // One JSON parameter, not one per id: D1 binds at most 100 parameters per statement.
    await d1
      .prepare('UPDATE order_events SET published_at = ? WHERE event_id IN (SELECT value FROM json_each(?))')
      .bind(at, JSON.stringify(rows.map((r) => r.event_id)))
      .run()
  }
  return results.length
}

/** After a transition: publish the order's waiting events, never failing the transition itself. */
export async function publishAfterMove(d1: D1Database, queue: Queue, orderId: string, at: string, log: Logger): Promise<void> {
  try {
    await publishOrderEvents(d1, queue, { orderId }, at)
  } catch (err) {
    log.warn('order_events_unpublished', { orderId, err })
  }
}
