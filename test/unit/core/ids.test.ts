import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatId, idPrefixes, idRandomBytes, idTime, isId } from '../../../src/core/ids'

const MAX_TIME = 2 ** 48 - 1
const timeArb = fc.integer({ min: 0, max: MAX_TIME })
const randomArb = fc.uint8Array({ minLength: idRandomBytes, maxLength: idRandomBytes })
const prefixArb = fc.constantFrom(...idPrefixes)
const zeros = new Uint8Array(idRandomBytes)

describe('formatId', () => {
  it('is the prefix, an underscore and 26 lower-case Crockford base32 characters', () => {
    fc.assert(
      fc.property(prefixArb, timeArb, randomArb, (prefix, time, random) => {
        const id = formatId(prefix, time, random)
        expect(id).toMatch(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`))
      }),
    )
  })

  it('encodes the time in the first 10 characters and the random bytes in the last 16 (ULID layout)', () => {
    const noRandom = '0'.repeat(16)
    expect(formatId('usr', 0, zeros)).toBe(`usr_${'0'.repeat(10)}${noRandom}`)
    expect(formatId('usr', 1, zeros)).toBe(`usr_${'0'.repeat(9)}1${noRandom}`)
    expect(formatId('usr', 32, zeros)).toBe(`usr_${'0'.repeat(8)}10${noRandom}`)
    expect(formatId('usr', 31, zeros)).toBe(`usr_${'0'.repeat(9)}z${noRandom}`)
    expect(formatId('usr', MAX_TIME, zeros)).toBe(`usr_7${'z'.repeat(9)}${noRandom}`)
    expect(formatId('usr', 0, new Uint8Array(idRandomBytes).fill(255))).toBe(`usr_${'0'.repeat(10)}${'z'.repeat(16)}`)
    // 80 bits, most significant first: byte 0x01 then zeros is 00000 00100 0… → "0", "4", then zeros.
    const first = new Uint8Array(idRandomBytes)
    first[0] = 1
    expect(formatId('usr', 0, first)).toBe(`usr_${'0'.repeat(10)}04${'0'.repeat(14)}`)
    const last = new Uint8Array(idRandomBytes)
    last[idRandomBytes - 1] = 1
    expect(formatId('usr', 0, last)).toBe(`usr_${'0'.repeat(10)}${'0'.repeat(15)}1`)
  })

  it('gives different ids for different random bytes at the same millisecond', () => {
    fc.assert(
      fc.property(timeArb, randomArb, randomArb, (time, a, b) => {
        fc.pre(a.some((byte, i) => byte !== b[i]))
        expect(formatId('ord', time, a)).not.toBe(formatId('ord', time, b))
      }),
    )
  })

  it('sorts as plain strings in the order of its times', () => {
    fc.assert(
      fc.property(prefixArb, timeArb, timeArb, randomArb, randomArb, (prefix, t1, t2, r1, r2) => {
        fc.pre(t1 !== t2)
        const [a, b] = [formatId(prefix, t1, r1), formatId(prefix, t2, r2)]
        expect(a < b).toBe(t1 < t2)
      }),
    )
  })

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['2^48', 2 ** 48],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('throws a RangeError for a %s time', (_, time) => {
    expect(() => formatId('usr', time, zeros)).toThrow(RangeError)
  })

  it.each([0, idRandomBytes - 1, idRandomBytes + 1])('throws a RangeError for %i random bytes', (length) => {
    expect(() => formatId('usr', 0, new Uint8Array(length))).toThrow(RangeError)
  })
})

describe('idTime', () => {
  it('reads back the time the id was made with', () => {
    fc.assert(
      fc.property(prefixArb, timeArb, randomArb, (prefix, time, random) => {
        expect(idTime(formatId(prefix, time, random))).toBe(time)
      }),
    )
  })

  it('reads a known instant', () => {
    const at = Date.UTC(2030, 0, 2, 3, 4, 5, 6)
    expect(idTime(formatId('evt', at, zeros))).toBe(at)
  })
})

describe('isId', () => {
  it('accepts any id made with the same prefix and rejects it under every other prefix', () => {
    fc.assert(
      fc.property(prefixArb, prefixArb, timeArb, randomArb, (made, asked, time, random) => {
        expect(isId(formatId(made, time, random), asked)).toBe(made === asked)
      }),
    )
  })

  const valid = formatId('usr', Date.UTC(2030, 0, 1), new Uint8Array(idRandomBytes).fill(7))
  const body = valid.slice(4)
  it.each([
    ['empty', ''],
    ['no prefix', body],
    ['unprefixed underscore', `_${body}`],
    ['upper case', valid.toUpperCase()],
    ['upper-case prefix', `USR_${body}`],
    ['one character short', valid.slice(0, -1)],
    ['one character long', `${valid}0`],
    ['an excluded letter i', `usr_${body.slice(0, -1)}i`],
    ['an excluded letter l', `usr_${body.slice(0, -1)}l`],
    ['an excluded letter o', `usr_${body.slice(0, -1)}o`],
    ['an excluded letter u', `usr_${body.slice(0, -1)}u`],
    ['a hyphen instead of an underscore', `usr-${body}`],
    ['surrounding whitespace', ` ${valid} `],
    ['a trailing newline', `${valid}\n`],
    ['a prefix glued to another', `xusr_${body}`],
  ])('rejects %s', (_, value) => {
    expect(isId(value, 'usr')).toBe(false)
  })

  it('accepts the well-formed id those cases were made from', () => {
    expect(isId(valid, 'usr')).toBe(true)
  })
})
