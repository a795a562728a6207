import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ftsQuery } from '../../../src/listings/search-query'

/** What FTS5 accepts from us: quoted tokens of letters and digits, each a prefix, space-separated. */
const SAFE = /^"[\p{L}\p{N}]+"\*(?: "[\p{L}\p{N}]+"\*)*$/u
const wordsOf = (q: string): string[] => [...q.matchAll(/"([^"]*)"\*/g)].map((m) => m[1] as string)

describe('ftsQuery', () => {
  it.each([
    ['brass lamp', '"brass"* "lamp"*'],
    ['  Brass,   LAMP!!  ', '"Brass"* "LAMP"*'],
    ['lamp NEAR(brass, 3)', '"lamp"* "NEAR"* "brass"* "3"*'],
    ['-lamp OR brass AND NOT chair', '"lamp"* "OR"* "brass"* "AND"* "NOT"* "chair"*'],
    ['title:lamp', '"title"* "lamp"*'],
    ['"brass lamp"', '"brass"* "lamp"*'],
    ['lam*', '"lam"*'],
    ['NEAR(', '"NEAR"*'],
    ['^lamp + {title description}: x', '"lamp"* "title"* "description"* "x"*'],
    ['café crème 1920s', '"café"* "crème"* "1920s"*'],
    ['ｌａｍｐ', '"lamp"*'], // full-width letters normalize (NFKC) to ASCII
    ['＂ｌａｍｐ＂＊ ＮＥＡＲ（ｘ）', '"lamp"* "NEAR"* "x"*'], // and so do full-width quotes, stars and parentheses
    ['椅子 lámpara', '"椅子"* "lámpara"*'],
  ])('turns %j into %j', (text, query) => {
    expect(ftsQuery(text)).toBe(query)
  })

  it.each(['', '   ', '"', '""', '***', '-', '()', '(*)', ':', '!@#$%^&*'])('leaves nothing searchable in %j', (text) => {
    expect(ftsQuery(text)).toBeUndefined()
  })

  it('keeps the first twelve words only', () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`)
    expect(ftsQuery(words.join(' '))).toBe(words.slice(0, 12).map((w) => `"${w}"*`).join(' '))
  })

  it('can never produce FTS5 syntax other than quoted prefix words, whatever was typed', () => {
    const hostile = fc.constantFrom('"', '*', '-', ':', '(', ')', '^', '+', '{', '}', ' NEAR ', ' AND ', ' OR ', ' NOT ', "'", '\\', '\u0000', '\n', 'é', '😀', 'ǅ', '²', 'ﬁ', '＂', '＊', '（', '）', '：', '－')
    const text = fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), hostile, fc.constantFrom('lamp', 'Brass', '42')), { maxLength: 30, size: 'max' }).map((parts) => parts.join(''))
    fc.assert(
      fc.property(text, (t) => {
        const q = ftsQuery(t)
        if (q === undefined) {
          expect(t.normalize('NFKC')).not.toMatch(/[\p{L}\p{N}]/u)
          return
        }
        expect(q).toMatch(SAFE)
        const words = wordsOf(q)
        expect(words.length).toBeGreaterThan(0)
        expect(words.length).toBeLessThanOrEqual(12)
        const normalized = t.normalize('NFKC')
        for (const w of words) expect(normalized).toContain(w)
      }),
      { numRuns: 500 },
    )
  })
})
