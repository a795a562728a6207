import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { Currency } from '../core/money'
import { orderStatuses } from '../orders/order-machine'
import { rebuildStatuses } from '../listings/read-model-rebuild'

/**
 * The D1 schema. Times are ISO 8601 UTC strings (they sort as text); ids are prefixed ULIDs.
 * Child tables reference their parents without ON DELETE CASCADE: a table rebuild by a later
 * migration must never delete children (see docs/OPERATIONS.md).
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Normalized (trimmed, lower-case); unique. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'support', 'admin'] }).notNull().default('user'),
    frozenAt: text('frozen_at'),
    /** Set when the user erased their account; the row stays (orders keep their parties) with no personal data. */
    erasedAt: text('erased_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_check', sql`${t.role} in ('user', 'support', 'admin')`),
  ],
)

/**
 * The listing read model: the latest public snapshot of each listing, projected from its events
 * (newest `last_seq` wins), searched with FTS5 (`listings_fts`, a hand-written migration). The
 * ListingObject stays the truth; this table serves browse and search.
 */
export const listings = sqliteTable(
  'listings',
  {
    id: text('id').primaryKey(),
    sellerId: text('seller_id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    category: text('category').notNull(),
    format: text('format', { enum: ['fixed_price', 'auction'] }).notNull(),
    status: text('status', { enum: ['active', 'ended', 'sold_out', 'withdrawn'] }).notNull(),
    currency: text('currency').notNull(),
    /** The fixed price, or the auction's current price, in minor units (for price filters). */
    price: integer('price').notNull(),
    endsAt: text('ends_at'),
    lastSeq: integer('last_seq').notNull(),
    /** The public snapshot as the API returns it. */
    view: text('view', { mode: 'json' }).notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('listings_status_idx').on(t.status, t.id),
    index('listings_seller_idx').on(t.sellerId, t.id),
    index('listings_category_idx').on(t.category, t.status, t.id),
    // Search's sorts (docs/LISTINGS.md "Search"): a page is a walk along one of these from the cursor.
    index('listings_status_price_idx').on(t.status, t.price, t.id),
    index('listings_status_ends_idx').on(t.status, t.endsAt, t.id).where(sql`${t.endsAt} IS NOT NULL`),
    // Facets count along this one without reading a row: it holds every column they filter on.
    index('listings_facets_idx').on(t.status, t.category, t.format, t.currency, t.price, t.endsAt, t.sellerId),
  ],
)

/** Who watches which listing. */
export const watchlist = sqliteTable(
  'watchlist',
  {
    userId: text('user_id').notNull(),
    listingId: text('listing_id').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.listingId] }), index('watchlist_listing_idx').on(t.listingId)],
)

/** Which listing holds an offer, so `/v1/offers/{id}` finds its object. Written before the offer is made. */
export const offerLocations = sqliteTable('offer_routes', {
  offerId: text('offer_id').primaryKey(),
  listingId: text('listing_id').notNull(),
})

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
    shippingAddress: text('shipping_address', { mode: 'json' }).$type<Record<string, string>>(),
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

/** Double-entry ledger: each transaction's entries sum to zero per currency (ledger.ts). */
export const ledgerTransactions = sqliteTable(
  'ledger_transactions',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['capture', 'settle', 'refund', 'payout'] }).notNull(),
    orderId: text('order_id'),
    createdAt: text('created_at').notNull(),
  },
  // At most one capture, one settlement and one refund per order, whatever retries happen.
  (t) => [uniqueIndex('ledger_transactions_order_kind_unique').on(t.orderId, t.kind)],
)

export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    transactionId: text('transaction_id').notNull(),
    account: text('account').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').$type<Currency>().notNull(),
  },
  (t) => [index('ledger_entries_account_idx').on(t.account, t.currency), index('ledger_entries_transaction_idx').on(t.transactionId)],
)

export const payouts = sqliteTable(
  'payouts',
  {
    id: text('id').primaryKey(),
    sellerId: text('seller_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').$type<Currency>().notNull(),
    /** `pending` until the provider's transfer to the seller's bank confirms it (see docs/PAYMENTS.md). */
    status: text('status', { enum: ['pending', 'paid', 'failed'] }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('payouts_seller_idx').on(t.sellerId, t.id)],
)

export const disputes = sqliteTable('disputes', {
  orderId: text('order_id').primaryKey(),
  reason: text('reason').notNull(),
  openedAt: text('opened_at').notNull(),
  outcome: text('outcome', { enum: ['refund', 'release'] }),
  resolvedAt: text('resolved_at'),
})

export const reviews = sqliteTable(
  'reviews',
  {
    orderId: text('order_id').notNull(),
    authorId: text('author_id').notNull(),
    subjectId: text('subject_id').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.authorId] }),
    index('reviews_subject_idx').on(t.subjectId),
    index('reviews_subject_created_idx').on(t.subjectId, t.createdAt, t.orderId),
  ],
)

/**
 * Each user's rating as others reviewed them: the count and sum of the ratings in `reviews` about
 * them, kept in the same batch that writes a review (review-store.ts), so a profile reads it in one row.
 */
export const userRatings = sqliteTable('user_ratings', {
  userId: text('user_id').primaryKey(),
  reviewCount: integer('review_count').notNull(),
  ratingSum: integer('rating_sum').notNull(),
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

/** Outbound webhook endpoints (docs/WEBHOOKS.md "Endpoints"): a user's URL, its event filter and signing secret. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    url: text('url').notNull(),
    /** Event types, `prefix.*` patterns or `*`. */
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    /** `whsec_` + base64: the Standard Webhooks signing secret, shown to the owner once. */
    secret: text('secret').notNull(),
    /** The secret a rotation replaced: deliveries are signed with it too until `previousSecretExpiresAt` (24 h). */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: text('previous_secret_expires_at'),
    status: text('status', { enum: ['active', 'disabled'] }).notNull(),
    disabledReason: text('disabled_reason'),
    /** Since when every delivery has failed; cleared by a success. */
    failingSince: text('failing_since'),
    /** Bumped by every owner's edit: the strong ETag that PATCH checks with If-Match. */
    version: integer('version').notNull().default(1),
    createdAt: text('created_at').notNull(),
    deletedAt: text('deleted_at'),
  },
  (t) => [index('webhook_endpoints_owner_idx').on(t.ownerId, t.id)],
)

/** One event for one endpoint: its `webhook-id` is this id, the same on every attempt. */
export const webhookMessages = sqliteTable(
  'webhook_messages',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    /** The body sent, `{ type, timestamp, data }`, fixed when the message is made. */
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    lastStatus: integer('last_status'),
    createdAt: text('created_at').notNull(),
    deliveredAt: text('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_messages_endpoint_event_unique').on(t.endpointId, t.eventId),
    index('webhook_messages_endpoint_idx').on(t.endpointId, t.id),
    // The fan-out looks up an event's messages by the event alone.
    index('webhook_messages_event_idx').on(t.eventId),
  ],
)

/** Every attempt at a message, for the owner's delivery log. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    messageId: text('message_id').notNull(),
    attempt: integer('attempt').notNull(),
    at: text('at').notNull(),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.attempt] })],
)

/** What a queue gave up on (its dead-letter queue's messages), kept for operators to read and replay. */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    /** The queue the message was given up on (the dead-letter queue's name without `-dlq`). */
    queue: text('queue').notNull(),
    body: text('body').notNull(),
    attempts: integer('attempts').notNull(),
    receivedAt: text('received_at').notNull(),
    replayedAt: text('replayed_at'),
  },
  (t) => [index('dead_letters_queue_idx').on(t.queue, t.id)],
)

/** The in-app inbox: one row per (event, person, type), so a redelivered event notifies once. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    type: text('type').notNull(),
    category: text('category', { enum: ['security', 'payment', 'activity'] }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    eventId: text('event_id').notNull(),
    /** Notices sharing a key (outbids on one listing) are sent at most once per throttle window. */
    throttleKey: text('throttle_key'),
    /** When the event happened: the throttle compares event times, so a redelivery decides the same. */
    eventAt: text('event_at'),
    /** Shown in the inbox (the in_app channel); a notice for other channels only is kept but not listed. */
    inApp: integer('in_app', { mode: 'boolean' }).notNull(),
    createdAt: text('created_at').notNull(),
    readAt: text('read_at'),
  },
  (t) => [
    uniqueIndex('notifications_event_user_type_unique').on(t.eventId, t.userId, t.type),
    index('notifications_user_idx').on(t.userId, t.id),
    index('notifications_throttle_idx').on(t.userId, t.throttleKey, t.eventAt),
  ],
)

/** Each person's notification preferences (docs/NOTIFICATIONS.md), as the JSON they last PUT. */
export const notificationPreferences = sqliteTable('notification_preferences', {
  userId: text('user_id').primaryKey(),
  preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  updatedAt: text('updated_at').notNull(),
})

/** One notice to go out on one channel (email, sms, push) at `dueAt`; a digest sends many at once. */
export const notificationDispatches = sqliteTable(
  'notification_dispatches',
  {
    notificationId: text('notification_id').notNull(),
    userId: text('user_id').notNull(),
    channel: text('channel').notNull(),
    dueAt: text('due_at').notNull(),
    digest: integer('digest', { mode: 'boolean' }).notNull(),
    sentAt: text('sent_at'),
    /** A sender holds the row until then; a sender that dies mid-send lets it go when the lease runs out. */
    claimedUntil: text('claimed_until'),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.channel] }), index('notification_dispatches_user_idx').on(t.userId, t.channel, t.sentAt, t.dueAt)],
)

/** Development only: what would have left the system (email, SMS, push), for GET /v1/dev/outbox. */
export const devOutbox = sqliteTable(
  'dev_outbox',
  {
    id: text('id').primaryKey(),
    channel: text('channel').notNull(),
    userId: text('user_id').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    notificationId: text('notification_id').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('dev_outbox_notification_channel_recipient_unique').on(t.notificationId, t.channel, t.recipient)],
)

/**
 * A person's phone number for SMS. `phone` is the verified number (the only one SMS goes to);
 * `pendingPhone` waits for its code, whose HMAC alone is kept, so the verified number keeps
 * working until the new one is proven.
 */
export const phoneNumbers = sqliteTable('phone_numbers', {
  userId: text('user_id').primaryKey(),
  phone: text('phone'),
  verifiedAt: text('verified_at'),
  pendingPhone: text('pending_phone'),
  codeHash: text('code_hash'),
  codeSentAt: text('code_sent_at'),
  codeExpiresAt: text('code_expires_at'),
  codeAttempts: integer('code_attempts').notNull().default(0),
})

/** Browsers' web push subscriptions (the Push API's endpoint and keys), a few per person. */
export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_unique').on(t.endpoint), index('push_subscriptions_user_idx').on(t.userId, t.createdAt)],
)

/**
 * What became of one notice (or digest, keyed by its first notice) at one address: an e-mail
 * address, a phone number, a push subscription id. A retried dispatch skips the addresses
 * already done here, so a person with three browsers is not pushed twice on the two that worked.
 */
export const notificationSends = sqliteTable(
  'notification_sends',
  {
    notificationId: text('notification_id').notNull(),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    userId: text('user_id').notNull(),
    outcome: text('outcome', { enum: ['sent', 'refused', 'gone'] }).notNull(),
    /** The provider's id for the message (Resend's e-mail id, Twilio's SID, the push message URL). */
    providerRef: text('provider_ref'),
    detail: text('detail'),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.channel, t.address] }), index('notification_sends_user_idx').on(t.userId)],
)

/**
 * Every listing id the read model has ever held, kept apart from it: a rebuild walks it to find
 * the listing objects (objects cannot be enumerated), so wiping `listings` loses nothing. Filled
 * by a trigger on each first insert into `listings` (the creating route projects its listing
 * before answering), backfilled from `listings` by migration 0013; never deleted. A migration
 * that rebuilds `listings` drops the trigger with the table and must create it again.
 */
export const listingRegistry = sqliteTable('listing_registry', {
  id: text('id').primaryKey(),
  registeredAt: text('registered_at').notNull(),
})

/**
 * Rebuilds of the read model from the listing objects (docs/OPERATIONS.md "The read model"), one
 * row each; at most one `running` (a partial unique index), so a second start is refused.
 */
export const readModelRebuilds = sqliteTable(
  'read_model_rebuilds',
  {
    id: text('id').primaryKey(),
    status: text('status', { enum: rebuildStatuses }).notNull(),
    requestedBy: text('requested_by').notNull(),
    chunkSize: integer('chunk_size').notNull(),
    total: integer('total').notNull(),
    step: integer('step').notNull(),
    cursor: text('cursor'),
    processed: integer('processed').notNull(),
    missing: integer('missing').notNull(),
    leaseUntil: text('lease_until'),
    startedAt: text('started_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (t) => [uniqueIndex('read_model_rebuilds_one_running').on(t.status).where(sql`status = 'running'`)],
)
