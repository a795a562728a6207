import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toBase64Url, utf8 } from '../../../src/core/bytes'
import { formatId } from '../../../src/core/ids'
import type { ListingView } from '../../../src/listings/listing-view'
import { decodeSearchCursor, encodeSearchCursor, searchPage } from '../../../src/listings/search-cursor'
import { positionOf, searchSorts, type SearchPosition, type SearchRow } from '../../../src/listings/search-sort'

const b64 = (text: string) => toBase64Url(utf8(text))
const ID = 'lst_01jd3v6w2k8m4n5p6q7r8s9t0v'
const ID2 = 'lst_01jd3v6w2k8m4n5p6q7r8s9t0w'
const ENDS = '2026-12-24T18:00:00.000Z'

const listingId = fc.tuple(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.uint8Array({ minLength: 10, maxLength: 10 })).map(([t, r]) => formatId('lst', t, r))
const instant = fc.integer({ min: 0, max: 8_640_000_000_000 }).map((ms) => new Date(ms).toISOString())
const position: fc.Arbitrary<SearchPosition> = fc.oneof(
  listingId.map((id) => ({ sort: 'newest' as const, id })),
  fc.tuple(instant, listingId).map(([endsAt, id]) => ({ sort: 'ending_soon' as const, endsAt, id })),
  fc.tuple(fc.constantFrom('price_asc' as const, 'price_desc' as const), fc.integer({ min: 0, max: 1_000_000_000 }), listingId).map(([sort, price, id]) => ({ sort, price, id })),
)

describe('search cursors', () => {
  it('round-trip every position of every sort, and stay safe in a query string', () => {
    fc.assert(
      fc.property(position, (p) => {
        const cursor = encodeSearchCursor(p)
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
        expect(decodeSearchCursor(cursor)).toEqual(p)
      }),
    )
  })

  it('remember which sort they belong to', () => {
    expect(decodeSearchCursor(encodeSearchCursor({ sort: 'price_asc', price: 1250, id: ID }))).toMatchObject({ sort: 'price_asc' })
    expect(decodeSearchCursor(encodeSearchCursor({ sort: 'price_desc', price: 1250, id: ID }))).toMatchObject({ sort: 'price_desc' })
    expect(decodeSearchCursor(encodeSearchCursor({ sort: 'ending_soon', endsAt: ENDS, id: ID }))).toMatchObject({ sort: 'ending_soon', endsAt: ENDS })
  })

  it.each([
    ['the empty string', ''],
    ['not base64', '!!not a cursor!!'],
    ['truncated', encodeSearchCursor({ sort: 'price_asc', price: 1250, id: ID }).slice(0, -4)],
    ['not JSON', b64('lst_01')],
    ['JSON null', b64('null')],
    ['a cursor of the other lists', b64(JSON.stringify({ a: ID }))],
    ['an unknown sort', b64(JSON.stringify({ s: 'cheapest', k: [1, ID] }))],
    ['a key that is not a list', b64(JSON.stringify({ s: 'newest', k: ID }))],
    ['newest with a price', b64(JSON.stringify({ s: 'newest', k: [1, ID] }))],
    ['newest with a bad id', b64(JSON.stringify({ s: 'newest', k: ['usr_01jd3v6w2k8m4n5p6q7r8s9t0v'] }))],
    ['a price that is text', b64(JSON.stringify({ s: 'price_asc', k: ['1250', ID] }))],
    ['a negative price', b64(JSON.stringify({ s: 'price_asc', k: [-1, ID] }))],
    ['a fractional price', b64(JSON.stringify({ s: 'price_desc', k: [12.5, ID] }))],
    ['a price past the maximum', b64(JSON.stringify({ s: 'price_desc', k: [1e12, ID] }))],
    ['a price without an id', b64(JSON.stringify({ s: 'price_asc', k: [1250] }))],
    ['a key too long', b64(JSON.stringify({ s: 'price_asc', k: [1250, ID, ID2] }))],
    ['an end that is not an instant', b64(JSON.stringify({ s: 'ending_soon', k: ['tomorrow', ID] }))],
    ['an end with an offset', b64(JSON.stringify({ s: 'ending_soon', k: ['2026-12-24T18:00:00+01:00', ID] }))],
    ['an end on no day', b64(JSON.stringify({ s: 'ending_soon', k: ['2026-02-31T18:00:00.000Z', ID] }))],
    ['SQL in the id', b64(JSON.stringify({ s: 'newest', k: ["lst_' OR 1=1 --"] }))],
  ])('are refused when %s', (_, cursor) => {
    expect(decodeSearchCursor(cursor)).toBeUndefined()
  })

  it('never throw, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void decodeSearchCursor(text)))
    fc.assert(fc.property(fc.json(), (json) => void decodeSearchCursor(b64(json))))
  })
})

const row = (id: string, price: number, endsAt: string | null): SearchRow => ({ view: { id } as ListingView, price, endsAt })

describe('searchPage', () => {
  const rows = [row(ID, 500, ENDS), row(ID2, 700, '2026-12-25T18:00:00.000Z'), row('lst_01jd3v6w2k8m4n5p6q7r8s9t0x', 900, null)]

  it.each(searchSorts.filter((s) => s !== 'ending_soon'))('ends a full %s page with the cursor of its last row', (sort) => {
    const { data, nextCursor } = searchPage(rows, 2, sort)
    expect(data.map((v) => v.id)).toEqual([ID, ID2])
    expect(decodeSearchCursor(nextCursor ?? '')).toEqual(positionOf(rows[1] as SearchRow, sort))
  })

  it('keys an ending_soon page on the end and the id', () => {
    expect(decodeSearchCursor(searchPage(rows.slice(0, 2), 1, 'ending_soon').nextCursor ?? '')).toEqual({ sort: 'ending_soon', endsAt: ENDS, id: ID })
  })

  it('has no next cursor on the last page', () => {
    expect(searchPage(rows, 3, 'price_asc').nextCursor).toBeNull()
    expect(searchPage([], 20, 'newest')).toEqual({ data: [], nextCursor: null })
  })

  it('treats an ending_soon row without an end as the bug it is', () => {
    expect(() => positionOf(row(ID, 1, null), 'ending_soon')).toThrow(/no end/)
  })
})
