import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('sessions_token_hash_unique').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
)

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** `sk_` and the first characters, to tell keys apart in a list. */
    prefix: text('prefix').notNull(),
    /** JSON array of scopes. */
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_token_hash_unique').on(t.tokenHash), index('api_keys_user_idx').on(t.userId, t.id)],
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
