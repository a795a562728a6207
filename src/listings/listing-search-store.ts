import { and, asc, count, desc, eq, gte, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { ReadDb } from '../db/client'
import { listings } from '../db/schema'
import type { FacetGroup } from './listing-facets'
import type { ListingView } from './listing-view'
import { ftsQuery } from './search-query'
import type { SearchPosition, SearchRow, SearchSort } from './search-sort'

/** Search and facets over the D1 read model (`listings` and its FTS5 index `listings_fts`). */

export type SearchFilters = {
  q?: string
  category?: string
  format?: 'fixed_price' | 'auction'
  status: ListingView['status']
  currency?: string
  minPrice?: number
  maxPrice?: number
  sellerId?: string
  now: Date
}

/** One page of a search in `sort`'s order, after `after`: `limit + 1` rows, so the caller can tell whether more follow. */
export async function searchListings(db: ReadDb, f: SearchFilters & { sort: SearchSort; after?: SearchPosition; limit: number }): Promise<SearchRow[]> {
  const where = matching(f)
  if (where === 'nothing') return []
  const rows = await db
    .select({ view: listings.view, price: listings.price, endsAt: listings.endsAt })
    .from(listings)
    .where(and(where, f.sort === 'ending_soon' ? isNotNull(listings.endsAt) : undefined, f.after ? resumeAfter(f.after) : undefined))
    .orderBy(...orderOf(f.sort))
    .limit(f.limit + 1)
  return rows.map((r) => ({ view: r.view as ListingView, price: r.price, endsAt: r.endsAt }))
}

/** How many listings match, per (category, format) pair. */
export async function facetGroups(db: ReadDb, f: SearchFilters): Promise<FacetGroup[]> {
  const where = matching(f)
  if (where === 'nothing') return []
  return db
    .select({ category: listings.category, format: listings.format, count: count() })
    .from(listings)
    .where(where)
    .groupBy(listings.category, listings.format)
}

/** The filters as SQL; `nothing` when words were asked for and none were given. */
function matching(f: SearchFilters): SQL | undefined | 'nothing' {
  const match = f.q ? ftsQuery(f.q) : undefined
  if (f.q !== undefined && match === undefined) return 'nothing'
  const nowIso = f.now.toISOString()
  return and(
    eq(listings.status, f.status),
    // An auction past its end is over even before its object's alarm says so (listingStatus, in SQL).
    f.status === 'active' ? or(isNull(listings.endsAt), sql`${listings.endsAt} > ${nowIso}`) : undefined,
    f.category ? eq(listings.category, f.category) : undefined,
    f.format ? eq(listings.format, f.format) : undefined,
    f.currency ? eq(listings.currency, f.currency) : undefined,
    f.minPrice !== undefined ? gte(listings.price, f.minPrice) : undefined,
    f.maxPrice !== undefined ? lte(listings.price, f.maxPrice) : undefined,
    f.sellerId ? eq(listings.sellerId, f.sellerId) : undefined,
    match ? sql`${listings}.rowid IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ${match})` : undefined,
  )
}

function orderOf(sort: SearchSort): SQL[] {
  switch (sort) {
    case 'newest':
      return [desc(listings.id)]
    case 'ending_soon':
      return [asc(listings.endsAt), asc(listings.id)]
    case 'price_asc':
      return [asc(listings.price), asc(listings.id)]
    case 'price_desc':
      return [desc(listings.price), desc(listings.id)]
  }
}

/** Rows strictly after `p` in its sort's order (row values: the key, then the id). */
function resumeAfter(p: SearchPosition): SQL {
  switch (p.sort) {
    case 'newest':
      return lt(listings.id, p.id)
    case 'ending_soon':
      return sql`(${listings.endsAt}, ${listings.id}) > (${p.endsAt}, ${p.id})`
    case 'price_asc':
      return sql`(${listings.price}, ${listings.id}) > (${p.price}, ${p.id})`
    case 'price_desc':
      return sql`(${listings.price}, ${listings.id}) < (${p.price}, ${p.id})`
  }
}
