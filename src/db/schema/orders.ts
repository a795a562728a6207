import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { Currency } from '../../core/money'
import { orderStatuses } from '../../orders/order-machine'

/**
 * Orders, their transitions (the orders' outbox), payments, disputes and inbound webhook receipts.
 * Conventions of every table: src/db/schema.ts.
 */

/**
 * Orders: one per checkout (or auction win), for one seller. Transitions are conditional updates
 * on (status, version) with their `order_events` row in the same batch (see order-store.ts).
 */
export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    buyerId: text('buyer_id').notNull(),
    sellerId: text('seller_id').notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    currency: text('currency').$type<Currency>().notNull(),
    total: integer('total').notNull(),
    /** `[{ listingId, quantity, unitPrice }]`, unit prices in minor units. */
    items: text('items', { mode: 'json' }).$type<{ listingId: string; quantity: number; unitPrice: number }[]>().notNull(),
    /**
     * The buyer's address, sealed for this order (`v1.<kid>.…`, pii/pii-envelope.ts); the JSON of it
     * in rows the rotation script has not reached yet. Null for an auction order until paid, and once erased.
     */
    shippingAddress: text('shipping_address'),
    /** The buyer's Idempotency-Key of the checkout that made or paid this order. */
    checkoutKey: text('checkout_key'),
    source: text('source', { enum: ['checkout', 'auction'] }).notNull(),
    /** The provider's payment-method token the buyer chose (never card data): reconciliation replays with it. */
    paymentMethod: text('payment_method'),
    /** Until when the order may wait for payment before it is cancelled. */
    paymentDueAt: text('payment_due_at'),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    deliveredAt: text('delivered_at'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('orders_checkout_key_unique').on(t.buyerId, t.checkoutKey),
    // Lists run newest first: order ids derived from checkout keys do not sort by time.
    index('orders_buyer_created_idx').on(t.buyerId, t.createdAt, t.id),
    index('orders_seller_created_idx').on(t.sellerId, t.createdAt, t.id),
    index('orders_status_idx').on(t.status),
    index('orders_shipment_idx').on(t.carrier, t.trackingNumber),
  ],
)

export const orderEvents = sqliteTable(
  'order_events',
  {
    orderId: text('order_id').notNull(),
    seq: integer('seq').notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    /** Why, where it matters (a cancellation's cause: sold_out, payment_declined, payment_timeout, …). */
    reason: text('reason'),
    at: text('at').notNull(),
    /** The id the event goes out under to the consumers' queues (stable across republishing). */
    eventId: text('event_id'),
    /** When the consumers' queues accepted it; null while it waits in this table, which is the orders' outbox. */
    publishedAt: text('published_at'),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.seq] }), index('order_events_unpublished_idx').on(t.publishedAt, t.at)],
)

/**
 * The money an order took, one row per order: `captured` while Souk holds it, `refund_pending`
 * once it must go back (cancelled, refunded dispute, a capture that landed on a cancelled order,
 * an authorization to void) until the provider confirms, then `refunded`.
 */
export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    provider: text('provider').notNull(),
    providerRef: text('provider_ref'),
    amount: integer('amount').notNull(),
    currency: text('currency').$type<Currency>().notNull(),
    status: text('status', { enum: ['captured', 'refund_pending', 'refunded'] }).notNull(),
    /** True when money was captured (an authorization that is voided never was). */
    captured: integer('captured', { mode: 'boolean' }).notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('payments_order_unique').on(t.orderId)],
)

/**
 * Checkouts given up before their order was ever written (the hold lapsed, or no payment came in
 * time): an order id here can never be recorded as paid, so money that lands for it later is
 * given back. Written by the reservation's lapse and by reconciliation.
 */
export const abandonedCheckouts = sqliteTable('abandoned_checkouts', {
  orderId: text('order_id').primaryKey(),
  reason: text('reason').notNull(),
  at: text('at').notNull(),
})

export const disputes = sqliteTable('disputes', {
  orderId: text('order_id').primaryKey(),
  reason: text('reason').notNull(),
  openedAt: text('opened_at').notNull(),
  outcome: text('outcome', { enum: ['refund', 'release'] }),
  resolvedAt: text('resolved_at'),
})

/** Inbound webhook events already applied, so each is applied once (payments and carriers). */
export const webhookReceipts = sqliteTable(
  'webhook_receipts',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
)
