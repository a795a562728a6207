import { describe, expect, it } from 'vitest'
import { API_VERSIONS, CURRENT_API_VERSION, resolveApiVersion } from '../../../src/core/api-versions'

describe('API versions', () => {
  it('are dates, oldest first, and the newest is the current one', () => {
    for (const v of API_VERSIONS) expect(v).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect([...API_VERSIONS]).toEqual([...API_VERSIONS].sort())
    expect(new Set(API_VERSIONS).size).toBe(API_VERSIONS.length)
    expect(CURRENT_API_VERSION).toBe(API_VERSIONS.at(-1))
    expect(CURRENT_API_VERSION).toBe('2026-12-05')
  })
})

describe('resolveApiVersion', () => {
  it('gives the current version when none is asked for', () => {
    expect(resolveApiVersion(undefined)).toEqual({ ok: true, version: CURRENT_API_VERSION })
  })

  it('gives a known version as itself', () => {
    expect(resolveApiVersion('2026-12-05')).toEqual({ ok: true, version: '2026-12-05' })
  })

  it('ignores the whitespace HTTP allows around a value', () => {
    expect(resolveApiVersion(' 2026-12-05\t')).toEqual({ ok: true, version: '2026-12-05' })
  })

  it.each([
    ['a date before the first version', '2020-01-01'],
    ['a date after the current version', '2027-01-01'],
    ['a date that cannot exist', '2026-02-30'],
  ])('refuses %s: a date that is no version', (_, value) => {
    expect(resolveApiVersion(value)).toEqual({ ok: false, requested: value })
  })

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['a word', 'latest'],
    ['the word in capitals', 'CURRENT'],
    ['a number', '1'],
    ['a date without dashes', '20261205'],
    ['a date without leading zeros', '2026-12-5'],
    ['a date in another order', '05-12-2026'],
    ['a date with a time', '2026-12-05T00:00:00Z'],
    ['a date with slashes', '2026/12/05'],
    ['a date with a space inside', '2026-12- 05'],
    ['two dates', '2026-12-05, 2026-12-05'],
    ['a date with a suffix', '2026-12-05.beta'],
  ])('refuses %s', (_, value) => {
    expect(resolveApiVersion(value)).toEqual({ ok: false, requested: value })
  })
})
