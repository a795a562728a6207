import type { IdPrefix } from '../core/ids'
import type { Db } from '../db/client'
import { captureTransaction } from '../ledger/ledger'
import { draftRecord, firstHistory } from './order-draft'
import { eventRowOf, type OrderEventRow } from './order-event'
import type { OrderBook } from './order-ports'
import { findOrder, findOrderByShipment, findPayment, orderHistory } from './order-store'
import { abandonCheckout, adoptOrder, applyTransition, createOrder, markRefunded, recordLateMoney, writeCheckoutOrder } from './order-write-store'

/**
 * Publishes an order's outbox after a write: the rows a checkout just wrote (no read needed), or
 * whatever of the order's waits. Must not throw (a row left unpublished goes out later).
 */
export type PublishOrderEvents = (orderId: string, written?: OrderEventRow[]) => Promise<void>

/** The OrderBook port over D1. */
export function d1OrderBook(db: Db, newId: (prefix: IdPrefix) => string, publish: PublishOrderEvents): OrderBook {
  return {
    get: (id) => findOrder(db, id),
    history: (id) => orderHistory(db, id),
    findByShipment: (carrier, trackingNumber) => findOrderByShipment(db, carrier, trackingNumber),
    async recordCheckout(draft, record, at) {
      // The rules' reasons stay in the review queue: order events reach the parties and their webhooks.
      const reason = record.status === 'cancelled' ? record.reason : record.status === 'pending_review' ? 'risk_review' : null
      const history = firstHistory(draft, record.status, at, reason)
      const order = draftRecord(draft, history)
      const eventIds = history.map(() => newId('evt'))
      const result = await writeCheckoutOrder(db, {
        draft,
        history,
        eventIds,
        ...(record.status === 'paid'
          ? { payment: { id: newId('pay'), provider: record.provider, providerRef: record.providerRef }, ledger: { tx: captureTransaction(order), id: newId('txn') } }
          : {}),
        ...(record.status === 'pending_review' ? { review: { id: record.reviewId, reasons: record.reasons, score: record.score, paymentRef: record.providerRef } } : {}),
      })
      if (result === 'recorded') await publish(draft.id, history.map((h, i) => eventRowOf(order, h, eventIds[i] ?? '')))
      return { result, order, history }
    },
    abandon: (orderId, reason, at) => abandonCheckout(db, orderId, reason, at),
    async create(order) {
      const created = await createOrder(db, order, 'system', newId('evt'))
      await publish(created.id)
      return created
    },
    adopt: (orderId, buyerId, key, address, paymentMethod) => adoptOrder(db, orderId, buyerId, key, address, paymentMethod),
    payment: (orderId) => findPayment(db, orderId),
    async move(order, transition, actor, effects, at) {
      const moved = await applyTransition(db, { orderId: order.id, transition, actor, at, eventId: newId('evt'), effects, ids: { ledger: newId('txn'), payment: newId('pay') } })
      if (moved === 'moved') await publish(order.id)
      return moved
    },
    async recordLateMoney(order, payment, refund, capture, at) {
      const books = refund && capture ? { capture: { tx: capture, id: newId('txn') }, refund: { tx: refund, id: newId('txn') } } : null
      await recordLateMoney(db, order, { ...payment, id: newId('pay') }, books, at)
    },
    markRefunded: (orderId, at) => markRefunded(db, orderId, at),
  }
}
