import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { rebuildPhases, rebuildStatuses } from '../../listings/read-model-rebuild'

/**
 * The listing read model, watching, where offers live, and rebuilding the read model.
 * Conventions of every table: src/db/schema.ts.
 */

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
    /** The listing's status, or `suspended` while its seller is frozen (no search asks for it). */
    status: text('status', { enum: ['active', 'ended', 'sold_out', 'withdrawn', 'suspended'] }).notNull(),
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

/** Which listing holds an offer, so `/v1/offers/{id}` finds its object. Written once the offer is made. */
export const offerLocations = sqliteTable('offer_routes', {
  offerId: text('offer_id').primaryKey(),
  listingId: text('listing_id').notNull(),
})

/**
 * The offers read model: each offer as its newest event left it (`last_seq`, the listing's event
 * seq, only moves forward), projected from the offer events, so a buyer or a seller can list their
 * offers across listings. The ListingObject stays the truth (GET /v1/offers/{id} reads it).
 */
export const offerViews = sqliteTable(
  'offers',
  {
    id: text('id').primaryKey(),
    listingId: text('listing_id').notNull(),
    buyerId: text('buyer_id').notNull(),
    sellerId: text('seller_id').notNull(),
    status: text('status', { enum: ['pending', 'accepted', 'declined', 'countered', 'expired', 'superseded'] }).notNull(),
    lastSeq: integer('last_seq').notNull(),
    /** The offer as the API returns it, less its reservation. */
    view: text('view', { mode: 'json' }).notNull(),
  },
  // A page is a walk along one of these from the cursor (ids sort by creation), with a status or without.
  (t) => [
    index('offers_buyer_idx').on(t.buyerId, t.id),
    index('offers_buyer_status_idx').on(t.buyerId, t.status, t.id),
    index('offers_seller_idx').on(t.sellerId, t.id),
    index('offers_seller_status_idx').on(t.sellerId, t.status, t.id),
  ],
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
    /** Empties the read model (`listings` with its FTS rows, then `offers`) before the walk. */
    fromScratch: integer('from_scratch', { mode: 'boolean' }).notNull().default(false),
    /** `clearing_listings`, `clearing_offers` (from scratch only), then `walking`; `cursor` is the phase's. */
    phase: text('phase', { enum: rebuildPhases }).notNull().default('walking'),
    /** Read-model rows removed while clearing. */
    cleared: integer('cleared').notNull().default(0),
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
