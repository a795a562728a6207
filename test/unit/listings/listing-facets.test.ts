import { describe, expect, it } from 'vitest'
import { listingFacets, MAX_CATEGORY_FACETS } from '../../../src/listings/listing-facets'

describe('listingFacets', () => {
  it('sums the (category, format) counts per category and per format, most first, ties by value', () => {
    const facets = listingFacets([
      { category: 'home', format: 'fixed_price', count: 3 },
      { category: 'home', format: 'auction', count: 2 },
      { category: 'kitchen', format: 'fixed_price', count: 5 },
      { category: 'art', format: 'auction', count: 5 },
    ])
    expect(facets).toEqual({
      total: 15,
      category: [
        { value: 'art', count: 5 },
        { value: 'home', count: 5 },
        { value: 'kitchen', count: 5 },
      ],
      format: [
        { value: 'fixed_price', count: 8 },
        { value: 'auction', count: 7 },
      ],
    })
  })

  it('is empty when nothing matches', () => {
    expect(listingFacets([])).toEqual({ total: 0, category: [], format: [] })
  })

  it('shows the most common categories only, but counts every listing in the total', () => {
    const groups = Array.from({ length: MAX_CATEGORY_FACETS + 20 }, (_, i) => ({ category: `c${String(i).padStart(3, '0')}`, format: 'auction', count: i + 1 }))
    const facets = listingFacets(groups)
    expect(facets.category).toHaveLength(MAX_CATEGORY_FACETS)
    expect(facets.category[0]).toEqual({ value: `c${MAX_CATEGORY_FACETS + 19}`, count: MAX_CATEGORY_FACETS + 20 })
    expect(facets.total).toBe(groups.reduce((n, g) => n + g.count, 0))
    expect(facets.format).toEqual([{ value: 'auction', count: facets.total }])
  })
})
