import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Notifications: the inbox, preferences, dispatches, where people can be reached, and what was sent.
 * Conventions of every table: src/db/schema.ts.
 */

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
