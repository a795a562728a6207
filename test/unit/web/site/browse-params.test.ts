import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { browseHref, browseParamsOf, facetHref, searchQueryOf } from '../../../../src/web/site/browse-params'

describe('browseParamsOf', () => {
  it('keeps the filters, trims them, drops empty ones and defaults the sort', () => {
    expect(browseParamsOf({ q: '  lamp ', category: 'Home', format: 'auction', min: '10', max: '', sort: 'price_desc', cursor: 'abc' })).toEqual({
      q: 'lamp',
      category: 'home',
      format: 'auction',
      min: '10',
      max: undefined,
      sort: 'price_desc',
      cursor: 'abc',
    })
    expect(browseParamsOf({})).toEqual({ sort: 'newest' })
  })

  it('ignores a sort or format the API does not have', () => {
    expect(browseParamsOf({ sort: 'cheapest', format: 'raffle' })).toMatchObject({ sort: 'newest', format: undefined })
  })
})

describe('browseHref', () => {
  it('writes the filters in a fixed order, leaves out the default sort, and starts again at page one on a change', () => {
    const params = browseParamsOf({ q: 'tea cup', category: 'kitchen', sort: 'newest', cursor: 'c1' })
    expect(browseHref(params)).toBe('/?q=tea+cup&category=kitchen')
    expect(browseHref(params, { sort: 'price_asc' })).toBe('/?q=tea+cup&category=kitchen&sort=price_asc')
    expect(browseHref(params, { cursor: 'c2' })).toBe('/?q=tea+cup&category=kitchen&cursor=c2')
    expect(browseHref(browseParamsOf({}))).toBe('/')
  })

  it('round-trips: reading the link back gives the same parameters (less the cursor unless it was the change)', () => {
    const text = fc.option(fc.string({ maxLength: 30 }).map((s) => s.trim()).filter((s) => s !== ''), { nil: undefined })
    fc.assert(
      fc.property(
        fc.record({ q: text, category: fc.option(fc.constantFrom('home', 'art', 'kitchen-ware'), { nil: undefined }), format: fc.option(fc.constantFrom('auction', 'fixed_price'), { nil: undefined }), min: fc.option(fc.constantFrom('1', '2.50'), { nil: undefined }), sort: fc.constantFrom('newest', 'ending_soon', 'price_asc', 'price_desc') }),
        fc.option(fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.trim()).filter((s) => s !== ''), { nil: undefined }),
        (raw, cursor) => {
          const params = browseParamsOf(raw)
          const href = browseHref(params, { cursor })
          const back = browseParamsOf(Object.fromEntries(new URL(href, 'https://souk.test').searchParams))
          expect(back).toEqual({ ...params, cursor })
        },
      ),
    )
  })
})

describe('facetHref', () => {
  it('chooses a value, or lets go of the one already chosen; either way from the first page', () => {
    const params = browseParamsOf({ q: 'lamp', category: 'home', cursor: 'c1' })
    expect(facetHref(params, 'category', 'art')).toEqual({ href: '/?q=lamp&category=art', current: false })
    expect(facetHref(params, 'category', 'home')).toEqual({ href: '/?q=lamp', current: true })
    expect(facetHref(params, 'format', 'auction')).toEqual({ href: '/?q=lamp&category=home&format=auction', current: false })
  })
})

describe('searchQueryOf', () => {
  it('turns typed prices into minor units for the API', () => {
    const planned = searchQueryOf(browseParamsOf({ min: '10', max: '25.5', sort: 'price_asc' }))
    expect(planned).toEqual({ ok: true, query: { q: undefined, category: undefined, format: undefined, minPrice: 1000, maxPrice: 2550, sort: 'price_asc', cursor: undefined, limit: 24 } })
  })

  it('says what is wrong with a price that is not one, or a range that is upside down', () => {
    expect(searchQueryOf(browseParamsOf({ min: 'ten' }))).toEqual({ ok: false, error: 'Lowest price: “ten” is not an amount such as 12.50' })
    expect(searchQueryOf(browseParamsOf({ min: '30', max: '20' }))).toEqual({ ok: false, error: 'Lowest price: must not be more than the highest price' })
  })
})
