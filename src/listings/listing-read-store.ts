import { and, desc, eq, gt, isNotNull, lt, ne, or, sql, type AnyColumn } from 'drizzle-orm'
import type { DrizzleD1Database } from 'drizzle-orm/d1'
import type { Db } from '../db/client'
import { listings, offerLocations, watchlist } from '../db/schema'
import { withImages, type ListingView } from './listing-view'

/** The D1 side of listings: the read model, the watchlist, and where each offer lives (search: listing-search-store.ts). */

/**
 * Applies a listing snapshot taken at `seq`. Idempotent and order-safe: a row only moves forward,
 * so a redelivered or late, older event changes nothing.
 */
export async function projectListing(db: Db, view: ListingView, seq: number): Promise<void> {
  await listingUpsert(db, view, seq, 'newer')
}

/** How a read model's row moves only forward: `newer` writes only over an older seq, `same-or-newer` over the same one too. */
export type SeqOrder = 'newer' | 'same-or-newer'

/** The upsert's `setWhere` that keeps a row at `lastSeq` from moving back. */
export const seqGuard = (lastSeq: AnyColumn, over: SeqOrder) => (over === 'newer' ? sql`excluded.last_seq > ${lastSeq}` : sql`excluded.last_seq >= ${lastSeq}`)

/**
 * The upsert of a snapshot taken at `seq`, to await or batch. `newer` writes only over an older
 * seq (events, a writer's own projection); `same-or-newer` rewrites a row at the same seq too, so
 * a rebuild refreshes every column from the snapshot, yet never overwrites a newer seq.
 */
export function listingUpsert<S extends Record<string, unknown>>(db: DrizzleD1Database<S>, view: ListingView, seq: number, over: SeqOrder) {
  const price = (view.price ?? view.currentPrice)?.amount ?? 0
  const row = {
    id: view.id,
    sellerId: view.sellerId,
    title: view.title,
    description: view.description,
    category: view.category,
    format: view.format,
    // A suspended listing (its seller frozen) is kept under its own status, which no search asks
    // for: it leaves every search and facet at once, with no extra condition on their indexes.
    status: view.suspended === true ? ('suspended' as const) : view.status,
    currency: view.currency,
    price,
    endsAt: view.endsAt ?? null,
    lastSeq: seq,
    view,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  }
  const { id: _id, createdAt: _created, ...changes } = row
  return db.insert(listings).values(row).onConflictDoUpdate({ target: listings.id, set: changes, setWhere: seqGuard(listings.lastSeq, over) })
}

/**
 * The seller's listings that a freeze or an unfreeze must reach: every one not withdrawn, except
 * auctions that ended before `endedSince` (past any hold for their winner's payment, nothing is
 * left in them to buy). Read along the seller's index; a seller has a few hundred at most.
 */
export async function sellerListingIds<S extends Record<string, unknown>>(db: DrizzleD1Database<S>, sellerId: string, endedSince: string): Promise<string[]> {
  const rows = await db
    .select({ id: listings.id })
    .from(listings)
    .where(and(eq(listings.sellerId, sellerId), ne(listings.status, 'withdrawn'), or(ne(listings.status, 'ended'), and(isNotNull(listings.endsAt), gt(listings.endsAt, endedSince)))))
  return rows.map((r) => r.id)
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
  return rows.map((r) => ({ listingId: r.listingId, view: r.view ? withImages(r.view as ListingView) : null }))
}

/** Records which listing holds an offer, so `/v1/offers/{id}` finds its object. */
export async function routeOffers(db: Db, listingId: string, offerIds: string[]): Promise<void> {
  await db.insert(offerLocations).values(offerIds.map((offerId) => ({ offerId, listingId }))).onConflictDoNothing()
}

export async function listingOfOffer(db: Db, offerId: string): Promise<string | undefined> {
  const row = await db.select({ listingId: offerLocations.listingId }).from(offerLocations).where(eq(offerLocations.offerId, offerId)).get()
  return row?.listingId
}

