import { describe, expect, it } from 'vitest'
import { facetSearchable, FEW_MATCHES, pageSearchable, readPlan } from '../../../src/listings/search-plan'

describe('readPlan', () => {
  it('reads the matches while there are fewer than FEW_MATCHES of them', () => {
    expect(readPlan({}, 0)).toBe('words')
    expect(readPlan({}, FEW_MATCHES - 1)).toBe('words')
    expect(readPlan({ sellerId: 'usr_x' }, 12)).toBe('words')
  })

  it('walks an index when the matches are many, or there are no words', () => {
    expect(readPlan({}, FEW_MATCHES)).toBe('index')
    expect(readPlan({}, undefined)).toBe('index')
  })

  it('starts from the seller’s listings when a seller is named and words do not narrow it more', () => {
    expect(readPlan({ sellerId: 'usr_x' }, FEW_MATCHES)).toBe('seller')
    expect(readPlan({ sellerId: 'usr_x' }, undefined)).toBe('seller')
  })
})

describe('what each plan may search by', () => {
  it('leaves a page walk only its sort’s index', () => {
    expect(pageSearchable('index', 'newest')).toEqual({ status: true })
    expect(pageSearchable('index', 'price_asc')).toEqual({ status: true, price: true })
    expect(pageSearchable('index', 'price_desc')).toEqual({ status: true, price: true })
    expect(pageSearchable('index', 'ending_soon')).toEqual({ status: true, endsAt: true })
  })

  it('leaves the words or the seller alone to the other plans', () => {
    for (const sort of ['newest', 'ending_soon', 'price_asc', 'price_desc'] as const) {
      expect(pageSearchable('words', sort)).toEqual({ words: true })
      expect(pageSearchable('seller', sort)).toEqual({ seller: true })
    }
    expect(facetSearchable('words')).toEqual({ words: true })
    expect(facetSearchable('seller')).toEqual({ seller: true })
  })

  it('walks facets along the index that begins with status and category', () => {
    expect(facetSearchable('index')).toEqual({ status: true, category: true })
  })
})
