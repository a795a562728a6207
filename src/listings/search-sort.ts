import type { ListingView } from './listing-view'

/**
 * How search orders listings. Every order ends on the listing id, so no two rows tie and a page
 * can resume exactly after the last row it showed:
 * - `newest`: id descending (ids sort by creation time);
 * - `ending_soon`: auctions only, by `endsAt` ascending (listings that never end have no place
 *   in it, so they are left out rather than put last);
 * - `price_asc`, `price_desc`: by the listed price in minor units (the fixed price, or an
 *   auction's current price), ties by id in the same direction. Amounts of different currencies
 *   compare as numbers: filter by `currency` to sort within one.
 */
export const searchSorts = ['newest', 'ending_soon', 'price_asc', 'price_desc'] as const
export type SearchSort = (typeof searchSorts)[number]

/** Where a page ended in its sort's order: the last listing's sort key and id. */
export type SearchPosition =
  | { sort: 'newest'; id: string }
  | { sort: 'ending_soon'; endsAt: string; id: string }
  | { sort: 'price_asc' | 'price_desc'; price: number; id: string }

/** A read-model row as search returns it: the public view, and the columns it was ordered by. */
export type SearchRow = { view: ListingView; price: number; endsAt: string | null }

/** The position of `row` in `sort`'s order, for the cursor of the page it ends. */
export function positionOf(row: SearchRow, sort: SearchSort): SearchPosition {
  const id = row.view.id
  switch (sort) {
    case 'newest':
      return { sort, id }
    case 'ending_soon':
      // The query keeps only rows with an end; one without is a bug in it, not a value to page on.
      if (row.endsAt === null) throw new Error(`ending_soon returned ${id}, which has no end`)
      return { sort, endsAt: row.endsAt, id }
    case 'price_asc':
    case 'price_desc':
      return { sort, price: row.price, id }
  }
}
