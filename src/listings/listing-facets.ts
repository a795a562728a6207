/**
 * Facets: how many listings match a search, per category and per format, from the counts the
 * read model gives per (category, format) pair. Pure.
 */
export type FacetGroup = { category: string; format: string; count: number }
export type FacetCount = { value: string; count: number }
export type ListingFacets = { total: number; category: FacetCount[]; format: FacetCount[] }

/** Categories are free slugs, so a broad search could name thousands; the most common are shown. */
export const MAX_CATEGORY_FACETS = 100

export function listingFacets(groups: FacetGroup[]): ListingFacets {
  const category = new Map<string, number>()
  const format = new Map<string, number>()
  let total = 0
  for (const g of groups) {
    category.set(g.category, (category.get(g.category) ?? 0) + g.count)
    format.set(g.format, (format.get(g.format) ?? 0) + g.count)
    total += g.count
  }
  return { total, category: ranked(category).slice(0, MAX_CATEGORY_FACETS), format: ranked(format) }
}

/** Most listings first; equal counts by value, so the order never depends on the query plan. */
const ranked = (counts: Map<string, number>): FacetCount[] =>
  [...counts]
    .filter(([, count]) => count > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
