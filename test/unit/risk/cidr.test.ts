import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blocklistMatcher, contains, formatCidr, parseCidr, parseIp } from '../../../src/risk/cidr'

const cidr = (s: string) => {
  const c = parseCidr(s)
  if (!c) throw new Error(`bad ${s}`)
  return c
}

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 ranges and bare addresses', () => {
    expect(formatCidr(cidr('203.0.113.0/24'))).toBe('203.0.113.0/24')
    expect(formatCidr(cidr('198.51.100.7'))).toBe('198.51.100.7/32')
    expect(formatCidr(cidr('2001:db8::/32'))).toBe('2001:db8:0:0:0:0:0:0/32')
    expect(formatCidr(cidr('::1'))).toBe('0:0:0:0:0:0:0:1/128')
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0')
  })

  it('refuses what is not a range', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4/33', '256.1.1.1', '1.2.3.4/24', '01.2.3.4', '2001:db8::/129', '2001:db8:::1', '1::2::3', 'abc', '1.2.3.4/-1', '1.2.3.4/8/8', '::ffff:1.2.3.0/120', 'g::1', '1:2:3:4:5:6:7:8:9']) {
      expect(parseCidr(bad), bad).toBeNull()
    }
  })
})

describe('matching', () => {
  it('holds addresses inside the range and not outside', () => {
    const match = blocklistMatcher([cidr('203.0.113.0/24'), cidr('2001:db8:abcd::/48')])
    expect(match('203.0.113.9')).toBe(true)
    expect(match('203.0.114.1')).toBe(false)
    expect(match('2001:db8:abcd:12::1')).toBe(true)
    expect(match('2001:db8:abce::1')).toBe(false)
    expect(match('::ffff:203.0.113.200')).toBe(true)
    expect(match('unknown')).toBe(false)
  })

  it('agrees with a plain prefix comparison for any IPv4 address and range (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const ip = parseIp(a)!
        const base = parseIp(b)!.bits
        const network = prefix === 0 ? 0n : (base >> BigInt(32 - prefix)) << BigInt(32 - prefix)
        const range = { family: 4 as const, bits: network, prefix }
        const expected = prefix === 0 || ip.bits >> BigInt(32 - prefix) === base >> BigInt(32 - prefix)
        expect(contains(range, ip)).toBe(expected)
        expect(parseCidr(formatCidr(range))).toEqual(range)
      }),
    )
  })

  it('parses any IPv6 address fast-check writes, and the range of it round-trips (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (a) => {
        const ip = parseIp(a)
        expect(ip).not.toBeNull()
        if (ip!.family === 6) expect(contains(cidr(formatCidr({ family: 6, bits: ip!.bits, prefix: 128 })), ip!)).toBe(true)
      }),
    )
  })
})
