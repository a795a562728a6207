import type { SearchSort } from './search-sort'

/**
 * Where a search or a count of facets starts reading. Decided here, not left to SQLite's planner:
 * the planner cannot know how many listings a word matches, and D1 keeps no table statistics
 * unless an operator runs `PRAGMA optimize`, so left alone it walks a whole index for a word that
 * matches twelve listings, or reads 20,000 rows for one that matches a fifth of them.
 *
 * - `words`: every listing the full-text index matches, then the filters (and the sort). Cheap
 *   when few match: its cost grows with the matches.
 * - `index`: along an index that begins with the status, each entry checked against the words and
 *   filters: for a page, the sort's own index from the cursor, stopping after the page; for facets,
 *   the facets index, which holds every column they filter on. Cheap when matches are dense.
 * - `seller`: from the seller's own listings (a few hundred at most), for a seller's listings.
 */
export type ReadPlan = 'words' | 'index' | 'seller'

/** Up to this many matching listings, reading each of them costs a few milliseconds (bench (i)). */
export const FEW_MATCHES = 2000

/** `matches`: how many listings the words match, counted up to FEW_MATCHES; undefined without words. */
export function readPlan(f: { sellerId?: string }, matches: number | undefined): ReadPlan {
  if (matches !== undefined && matches < FEW_MATCHES) return 'words'
  return f.sellerId ? 'seller' : 'index'
}

/** The columns a plan may search by; every other filter is checked on the rows it reads. */
export type Searchable = { words?: true; seller?: true; status?: true; category?: true; price?: true; endsAt?: true }

/** For a page in `sort`'s order; a walk keeps only its sort's index usable (a category's would need the whole category sorted). */
export function pageSearchable(plan: ReadPlan, sort: SearchSort): Searchable {
  if (plan === 'words') return { words: true }
  if (plan === 'seller') return { seller: true }
  return { status: true, ...(sort === 'price_asc' || sort === 'price_desc' ? { price: true } : {}), ...(sort === 'ending_soon' ? { endsAt: true } : {}) }
}

/** For facets; a walk goes along the facets index (status, category, …), which covers every filter. */
export function facetSearchable(plan: ReadPlan): Searchable {
  if (plan === 'words') return { words: true }
  if (plan === 'seller') return { seller: true }
  return { status: true, category: true }
}
