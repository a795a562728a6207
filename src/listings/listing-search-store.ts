import { and, count, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { ReadDb } from '../db/client'
import { listings } from '../db/schema'
import type { FacetGroup } from './listing-facets'
import { withImages, type ListingView } from './listing-view'
import { facetSearchable, FEW_MATCHES, pageSearchable, readPlan, type ReadPlan, type Searchable } from './search-plan'
import { ftsQuery } from './search-query'
import type { SearchPosition, SearchRow, SearchSort } from './search-sort'

/**
 * Search and facets over the D1 read model (`listings` and its FTS5 index `listings_fts`). Where a
 * read starts is chosen in search-plan.ts and imposed on SQLite by leaving only that path's
 * columns searchable: a column written `+col` can be filtered on but not searched by.
 */

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

type Search = SearchFilters & { sort: SearchSort; after?: SearchPosition; limit: number }

/** One page of a search in `sort`'s order, after `after`: `limit + 1` rows, so the caller can tell whether more follow. */
export async function searchListings(db: ReadDb, f: Search): Promise<SearchRow[]> {
  const match = f.q ? ftsQuery(f.q) : undefined
  if (f.q !== undefined && match === undefined) return [] // words were asked for, none were given
  if (match === undefined) return rowsOf(await pageQuery(db, f, readPlan(f, undefined)))
  // One round trip counts the matches (up to FEW_MATCHES) and reads the page from them, a read
  // that gives up at once when they are more; then a second read walks the sort's index instead.
  const [[counted], fromWords] = await db.batch([matchCount(db, match), pageQuery(db, f, 'words', match)])
  const plan = readPlan(f, counted?.n ?? 0)
  return rowsOf(plan === 'words' ? fromWords : await pageQuery(db, f, plan, match))
}

/** How many listings match, per (category, format) pair, read as a page is: from the words while they are few. */
export async function facetGroups(db: ReadDb, f: SearchFilters): Promise<FacetGroup[]> {
  const match = f.q ? ftsQuery(f.q) : undefined
  if (f.q !== undefined && match === undefined) return []
  if (match === undefined) return facetQuery(db, f, readPlan(f, undefined))
  const [[counted], fromWords] = await db.batch([matchCount(db, match), facetQuery(db, f, 'words', match)])
  const plan = readPlan(f, counted?.n ?? 0)
  return plan === 'words' ? fromWords : facetQuery(db, f, plan, match)
}

/** The matches, counted up to FEW_MATCHES: the cost of counting stops there. */
const cappedMatches = (match: string) => sql`(SELECT 1 FROM listings_fts WHERE listings_fts MATCH ${match} LIMIT ${FEW_MATCHES})`
const matchCount = (db: ReadDb, match: string) => db.select({ n: count() }).from(cappedMatches(match))

function pageQuery(db: ReadDb, f: Search, plan: ReadPlan, match?: string) {
  return db
    .select({ view: listings.view, price: listings.price, endsAt: listings.endsAt })
    .from(listings)
    .where(and(filters(f, pageSearchable(plan, f.sort), match, plan), f.after ? resumeAfter(f.after) : undefined))
    .orderBy(...orderOf(f.sort))
    .limit(f.limit + 1)
}

function facetQuery(db: ReadDb, f: SearchFilters, plan: ReadPlan, match?: string) {
  return db
    .select({ category: listings.category, format: listings.format, count: count() })
    .from(listings)
    .where(filters(f, facetSearchable(plan), match, plan))
    .groupBy(listings.category, listings.format)
}

const rowsOf = (rows: { view: unknown; price: number; endsAt: string | null }[]): SearchRow[] => rows.map((r) => ({ view: withImages(r.view as ListingView), price: r.price, endsAt: r.endsAt }))

/**
 * The filters as SQL. Only the `searchable` columns can lead SQLite to rows; the others are
 * written `+col`, which it can check but not search by. A `words` read is used only when the
 * matches are fewer than FEW_MATCHES, so when they are not it reads none (the condition inside
 * the subquery is evaluated once, before the full-text index is read).
 */
function filters(f: SearchFilters & { sort?: SearchSort }, searchable: Searchable, match: string | undefined, plan: ReadPlan): SQL | undefined {
  const on = (column: SQLWrapper, usable: boolean | undefined): SQL => (usable ? sql`${column}` : sql`+${column}`)
  const endsAt = on(listings.endsAt, searchable.endsAt)
  const price = on(listings.price, searchable.price)
  const nowIso = f.now.toISOString()
  return and(
    sql`${on(listings.status, searchable.status)} = ${f.status}`,
    // ending_soon has auctions only: ones that end. An auction past its end is over even before
    // its object's alarm says so (listingStatus, in SQL).
    f.sort === 'ending_soon' ? sql`${endsAt} IS NOT NULL` : undefined,
    f.status === 'active' ? (f.sort === 'ending_soon' ? sql`${endsAt} > ${nowIso}` : sql`(${endsAt} IS NULL OR ${endsAt} > ${nowIso})`) : undefined,
    f.category ? sql`${on(listings.category, searchable.category)} = ${f.category}` : undefined,
    f.format ? sql`${on(listings.format, false)} = ${f.format}` : undefined,
    f.currency ? sql`${on(listings.currency, false)} = ${f.currency}` : undefined,
    f.minPrice !== undefined ? sql`${price} >= ${f.minPrice}` : undefined,
    f.maxPrice !== undefined ? sql`${price} <= ${f.maxPrice}` : undefined,
    f.sellerId ? sql`${on(listings.sellerId, searchable.seller)} = ${f.sellerId}` : undefined,
    match
      ? sql`${on(sql`${listings}.rowid`, searchable.words)} IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ${match}${plan === 'words' ? sql` AND (SELECT count(*) FROM ${cappedMatches(match)}) < ${FEW_MATCHES}` : sql``})`
      : undefined,
  )
}

function orderOf(sort: SearchSort): SQL[] {
  switch (sort) {
    case 'newest':
      return [sql`${listings.id} DESC`]
    case 'ending_soon':
      return [sql`${listings.endsAt} ASC`, sql`${listings.id} ASC`]
    case 'price_asc':
      return [sql`${listings.price} ASC`, sql`${listings.id} ASC`]
    case 'price_desc':
      return [sql`${listings.price} DESC`, sql`${listings.id} DESC`]
  }
}

/** Rows strictly after `p` in its sort's order (row values: the key, then the id). */
function resumeAfter(p: SearchPosition): SQL {
  switch (p.sort) {
    case 'newest':
      return sql`${listings.id} < ${p.id}`
    case 'ending_soon':
      return sql`(${listings.endsAt}, ${listings.id}) > (${p.endsAt}, ${p.id})`
    case 'price_asc':
      return sql`(${listings.price}, ${listings.id}) > (${p.price}, ${p.id})`
    case 'price_desc':
      return sql`(${listings.price}, ${listings.id}) < (${p.price}, ${p.id})`
  }
}
