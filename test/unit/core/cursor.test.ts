import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toBase64Url, utf8 } from '../../../src/core/bytes'
import { decodeCursor, encodeCursor, page } from '../../../src/core/cursor'

const b64 = (text: string) => toBase64Url(utf8(text))

describe('encodeCursor / decodeCursor', () => {
  it('round-trips any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (after) => {
        const cursor = encodeCursor(after)
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/) // safe in a query string as is
        expect(decodeCursor(cursor)).toBe(after)
      }),
    )
  })

  it('round-trips a real sort key', () => {
    expect(decodeCursor(encodeCursor('key_01hx5j3k7m0000000000000000'))).toBe('key_01hx5j3k7m0000000000000000')
  })

  it.each([
    ['the empty string', ''],
    ['not base64', '!!not a cursor!!'],
    ['a truncated cursor', encodeCursor('key_01hx5j3k7m').slice(0, -3)],
    ['base64 of text that is not JSON', b64('key_01')],
    ['base64 of a JSON string', b64('"key_01"')],
    ['base64 of JSON null', b64('null')],
    ['base64 of an array', b64('["key_01"]')],
    ['base64 of an object without "a"', b64('{"b":"key_01"}')],
    ['base64 of an object whose "a" is a number', b64('{"a":1}')],
    ['base64 of an object whose "a" is null', b64('{"a":null}')],
  ])('answers undefined for %s', (_, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined()
  })

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const decoded = decodeCursor(text)
        expect(decoded === undefined || typeof decoded === 'string').toBe(true)
      }),
    )
  })
})

describe('page', () => {
  type Row = { id: string }
  const rows = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: `key_${String(i).padStart(3, '0')}` }))
  const byId = (r: Row) => r.id

  it('with limit + 1 rows, returns limit rows and a cursor naming the last one returned', () => {
    const result = page(rows(4), 3, byId)
    expect(result.data).toEqual(rows(3))
    expect(result.nextCursor).not.toBeNull()
    expect(decodeCursor(result.nextCursor ?? '')).toBe('key_002')
  })

  it.each([0, 1, 3])('with %i rows for a limit of 3, returns them all and no cursor', (n) => {
    expect(page(rows(n), 3, byId)).toEqual({ data: rows(n), nextCursor: null })
  })

  it('gives a cursor exactly when more rows exist than the limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 21 }), (limit, extra) => {
        const fetched = rows(Math.min(extra, limit + 1))
        const result = page(fetched, limit, byId)
        expect(result.data).toEqual(fetched.slice(0, limit))
        if (fetched.length > limit) expect(decodeCursor(result.nextCursor ?? '')).toBe(fetched[limit - 1]?.id)
        else expect(result.nextCursor).toBeNull()
      }),
    )
  })

  it('gives a cursor after a row whose value is falsy (page is generic over rows)', () => {
    // A page of plain sort keys: the empty string and 0 are rows like any other.
    expect(decodeCursor(page(['', 'b'], 1, (s) => s).nextCursor ?? 'none')).toBe('')
    expect(decodeCursor(page([0, 1], 1, String).nextCursor ?? 'none')).toBe('0')
  })
})
