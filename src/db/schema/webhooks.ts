import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Outbound webhooks: endpoints, messages and their attempts.
 * Conventions of every table: src/db/schema.ts.
 */

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
