import { describe, expect, it } from 'vitest'
import { digestTag, noneMatchHits, versionTag } from '../../../src/core/entity-tag'

describe('entity tags', () => {
  it('gives a version the strong tag If-Match takes', () => {
    expect(versionTag(12)).toBe('"12"')
  })

  it('gives a digest a weak tag of its first 16 bytes', () => {
    const digest = Uint8Array.from({ length: 32 }, (_, i) => i)
    expect(digestTag(digest)).toBe('W/"AAECAwQFBgcICQoLDA0ODw"')
    expect(digestTag(digest)).toBe(digestTag(Uint8Array.from({ length: 32 }, (_, i) => (i < 16 ? i : 255))))
    expect(digestTag(digest)).not.toBe(digestTag(Uint8Array.from({ length: 32 }, (_, i) => (i === 15 ? 0 : i))))
  })
})

describe('noneMatchHits', () => {
  it.each([
    ['the same strong tag', '"12"', '"12"'],
    ['the weak form of a strong tag (weak comparison)', 'W/"12"', '"12"'],
    ['the strong form of a weak tag', '"abc"', 'W/"abc"'],
    ['a tag among others', '"1", "7" ,  W/"12"', '"12"'],
    ['a tag holding a comma', '"a,b", "12"', '"12"'],
    ['a star', ' * ', '"12"'],
  ])('matches %s', (_, header, etag) => {
    expect(noneMatchHits(header, etag)).toBe(true)
  })

  it.each([
    ['no header', undefined, '"12"'],
    ['an empty header', '', '"12"'],
    ['another version', '"11"', '"12"'],
    ['a prefix of the tag', '"1"', '"12"'],
    ['an unquoted tag', '12', '"12"'],
    ['a list with an unquoted part', '"12", 13', '"12"'],
    ['a lower-case weak marker', 'w/"12"', '"12"'],
    ['a tag with a space inside', '"1 2"', '"1 2"'],
    ['half a comma-split tag', '"a', '"a,b"'],
  ])('does not match %s', (_, header, etag) => {
    expect(noneMatchHits(header, etag)).toBe(false)
  })
})
