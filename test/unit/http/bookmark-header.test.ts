import { describe, expect, it } from 'vitest'
import { BookmarkHeader } from '../../../src/http/bookmark-header'

describe('the Souk-Bookmark request header', () => {
  it('takes what D1 answers as a bookmark, or nothing', () => {
    expect(BookmarkHeader.safeParse('00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683').success).toBe(true)
    expect(BookmarkHeader.safeParse('00000000-0000000e-00000000-00000000000000000000000000000000').success).toBe(true)
    expect(BookmarkHeader.safeParse(undefined).success).toBe(true)
  })

  it('refuses session constraints, other text, and oversized values', () => {
    for (const bad of ['first-primary', 'first-unconstrained', 'garbage', '', '0000', '0000-', '-0000', 'ABCDEF01-00', '0-0', '00000000-00000000-00000000', '00000000-00000000-00000000-0000000000000000000000000000000', '0000000g-00000000-00000000-00000000000000000000000000000000', `${'0'.repeat(64)}-${'0'.repeat(65)}`, Array(9).fill('00').join('-')]) {
      expect(BookmarkHeader.safeParse(bad).success, bad).toBe(false)
    }
  })
})
