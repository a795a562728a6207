import { and, desc, eq, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { DrizzleD1Database } from 'drizzle-orm/d1'
import type { Db, ReadDb } from '../db/client'
import { listings, offerLocations, watchlist } from '../db/schema'
import type { ListingView } from './listing-view'
import { ftsQuery } from './search-query'

/** The D1 side of listings: the read model, search, the watchlist, and where each offer lives. */

/**
 * Applies a listing snapshot taken at `seq`. Idempotent and order-safe: a row only moves forward,
 * so a redelivered or late, older event changes nothing.
 */
export async function projectListing(db: Db, view: ListingView, seq: number): Promise<void> {
  await listingUpsert(db, view, seq, 'newer')
}

/**
 * The upsert of a snapshot taken at `seq`, to await or batch. `newer` writes only over an older
 * seq (events, a writer's own projection); `same-or-newer` rewrites a row at the same seq too, so
 * a rebuild refreshes every column from the snapshot, yet never overwrites a newer seq.
 */
export function listingUpsert<S extends Record<string, unknown>>(db: DrizzleD1Database<S>, view: ListingView, seq: number, over: 'newer' | 'same-or-newer') {
  const price = (view.price ?? view.currentPrice)?.amount ?? 0
  const row = {
    id: view.id,
    sellerId: view.sellerId,
    title: view.title,
    description: view.description,
    category: view.category,
    format: view.format,
    status: view.status,
    currency: view.currency,
    price,
    endsAt: view.endsAt ?? null,
    lastSeq: seq,
    view,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  }
  const { id: _id, createdAt: _created, ...changes } = row
  const guard = over === 'newer' ? sql`excluded.last_seq > ${listings.lastSeq}` : sql`excluded.last_seq >= ${listings.lastSeq}`
  return db.insert(listings).values(row).onConflictDoUpdate({ target: listings.id, set: changes, setWhere: guard })
}

export type SearchFilters = {
  q?: string
  category?: string
  format?: 'fixed_price' | 'auction'
  status: ListingView['status']
  currency?: string
  minPrice?: number
  maxPrice?: number
  sellerId?: string
  after?: string
  limit: number
  now: Date
}

/** Newest first, `limit + 1` rows so the caller can tell whether more follow. */
export async function searchListings(db: ReadDb, f: SearchFilters): Promise<ListingView[]> {
  const match = f.q ? ftsQuery(f.q) : undefined
  if (f.q !== undefined && match === undefined) return [] // words were asked for, none were given
  const nowIso = f.now.toISOString()
  const rows = await db
    .select({ view: listings.view })
    .from(listings)
    .where(
      and(
        eq(listings.status, f.status),
        // An auction past its end is over even before its object's alarm says so (listingStatus, in SQL).
        f.status === 'active' ? or(isNull(listings.endsAt), sql`${listings.endsAt} > ${nowIso}`) : undefined,
        f.category ? eq(listings.category, f.category) : undefined,
        f.format ? eq(listings.format, f.format) : undefined,
        f.currency ? eq(listings.currency, f.currency) : undefined,
        f.minPrice !== undefined ? gte(listings.price, f.minPrice) : undefined,
        f.maxPrice !== undefined ? lte(listings.price, f.maxPrice) : undefined,
        f.sellerId ? eq(listings.sellerId, f.sellerId) : undefined,
        f.after ? lt(listings.id, f.after) : undefined,
        match ? sql`${listings}.rowid IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ${match})` : undefined,
      ),
    )
    .orderBy(desc(listings.id))
    .limit(f.limit + 1)
  return rows.map((r) => r.view as ListingView)
}

export async function watch(db: Db, userId: string, listingId: string, now: Date): Promise<void> {
  await db.insert(watchlist).values({ userId, listingId, createdAt: now.toISOString() }).onConflictDoNothing()
}

export async function unwatch(db: Db, userId: string, listingId: string): Promise<void> {
  await db.delete(watchlist).where(and(eq(watchlist.userId, userId), eq(watchlist.listingId, listingId)))
}

/** The caller's watched listings, most recently listed first, as the read model knows them. */
export async function watchedListings(db: Db, userId: string, limit: number, after?: string): Promise<{ listingId: string; view: ListingView | null }[]> {
  const rows = await db
    .select({ listingId: watchlist.listingId, view: listings.view })
    .from(watchlist)
    .leftJoin(listings, eq(listings.id, watchlist.listingId))
    .where(and(eq(watchlist.userId, userId), after ? lt(watchlist.listingId, after) : undefined))
    .orderBy(desc(watchlist.listingId))
    .limit(limit + 1)
  return rows.map((r) => ({ listingId: r.listingId, view: (r.view as ListingView | null) ?? null }))
}

/** Records which listing holds an offer, so `/v1/offers/{id}` finds its object. */
export async function routeOffers(db: Db, listingId: string, offerIds: string[]): Promise<void> {
  await db.insert(offerLocations).values(offerIds.map((offerId) => ({ offerId, listingId }))).onConflictDoNothing()
}

export async function listingOfOffer(db: Db, offerId: string): Promise<string | undefined> {
  const row = await db.select({ listingId: offerLocations.listingId }).from(offerLocations).where(eq(offerLocations.offerId, offerId)).get()
  return row?.listingId
}

