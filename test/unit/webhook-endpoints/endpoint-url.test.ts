import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_ENDPOINT_URL_LENGTH, endpointUrlProblem, isIpAddress, isPrivateAddress } from '../../../src/webhook-endpoints/endpoint-url'

/** [url, accepted in production, accepted in development, why] */
const table: [string, boolean, boolean, string][] = [
  // Public hosts
  ['https://example.com/hook', true, true, 'a public name'],
  ['https://hooks.example.com:8443/souk?x=1#f', true, true, 'with port, query and fragment'],
  ['https://example.com./hook', true, true, 'a fully qualified name with its trailing dot'],
  ['https://ÉXAMPLE.com/', true, true, 'an international name (punycoded by URL)'],
  ['https://93.184.216.34/x', true, true, 'a public IPv4 address'],
  ['https://[2606:2800:220:1:248:1893:25c8:1946]/x', true, true, 'a public IPv6 address'],
  ['https://[::ffff:93.184.216.34]/x', true, true, 'a public IPv4 address, IPv4-mapped'],
  ['http://example.com/hook', false, false, 'http to a public host'],

  // Not a URL, or not one Souk will call
  ['example.com/hook', false, false, 'relative'],
  ['/hook', false, false, 'a path'],
  ['', false, false, 'empty'],
  ['https://', false, false, 'no host'],
  ['ftp://example.com/hook', false, false, 'another scheme'],
  ['mailto:ops@example.com', false, false, 'no host at all'],
  ['javascript:alert(1)', false, false, 'script'],
  ['file:///etc/passwd', false, false, 'a file'],
  ['https://user@example.com/hook', false, false, 'a username'],
  ['https://user:secret@example.com/hook', false, false, 'a username and password'],
  ['https://:secret@example.com/hook', false, false, 'a password alone'],
  [' https://example.com/hook', false, false, 'leading space the parser would drop'],
  ['https://exa\tmple.com/hook', false, false, 'a tab the parser would drop'],
  ['https://example.com/ho ok', false, false, 'a space in the path'],
  ['https://1.2.3.4.5/', false, false, 'five numbers: URL refuses it'],
  ['https://[fe80::1%25eth0]/', false, false, 'an IPv6 zone id: URL refuses it'],

  // Loopback: development only
  ['http://localhost:8787/hook', false, true, 'localhost over http'],
  ['https://localhost/hook', false, true, 'localhost over https'],
  ['http://LOCALHOST./hook', false, true, 'localhost, upper case with a trailing dot'],
  ['http://receiver.localhost/hook', false, true, 'a name under localhost'],
  ['http://127.0.0.1:9000/hook', false, true, 'the loopback address'],
  ['http://127.255.255.254/', false, true, 'anywhere in 127/8'],
  ['http://[::1]:9000/hook', false, true, 'IPv6 loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', false, true, 'IPv6 loopback written out'],
  ['http://[::ffff:127.0.0.1]/', false, true, 'IPv4 loopback, IPv4-mapped'],
  // Odd IPv4 forms the WHATWG parser turns into 127.0.0.1
  ['http://2130706433/', false, true, 'loopback as one decimal number'],
  ['http://0x7f.1/', false, true, 'loopback as hex and a short form'],
  ['http://0x7f000001/', false, true, 'loopback as one hex number'],
  ['http://0177.0.0.1/', false, true, 'loopback with an octal byte'],
  ['http://127.1/', false, true, 'loopback, two-part form'],
  ['http://127.0.0.1./', false, true, 'loopback with a trailing dot'],
  ['http://%31%32%37.0.0.1/', false, true, 'loopback percent-encoded'],

  // Private and reserved addresses: never
  ['https://10.0.0.1/', false, false, '10/8'],
  ['https://172.16.0.1/', false, false, '172.16/12'],
  ['https://172.31.255.255/', false, false, 'top of 172.16/12'],
  ['https://192.168.1.1/', false, false, '192.168/16'],
  ['https://169.254.169.254/latest/meta-data/', false, false, 'link-local: the cloud metadata service'],
  ['https://100.64.0.1/', false, false, 'carrier-grade NAT'],
  ['https://100.127.255.255/', false, false, 'top of 100.64/10'],
  ['https://0.0.0.0/', false, false, 'unspecified'],
  ['http://0/', false, false, 'unspecified as one number'],
  ['https://224.0.0.1/', false, false, 'multicast'],
  ['https://240.0.0.1/', false, false, 'reserved'],
  ['https://255.255.255.255/', false, false, 'broadcast'],
  ['https://192.0.2.10/', false, false, 'documentation'],
  ['https://198.18.0.1/', false, false, 'benchmarking'],
  ['https://167772161/', false, false, '10.0.0.1 as one number'],
  ['https://0xa9.0xfe.0xa9.0xfe/', false, false, '169.254.169.254 in hex'],
  ['https://0300.0250.1.1/', false, false, '192.168.1.1 in octal'],
  ['https://[::]/', false, false, 'IPv6 unspecified'],
  ['https://[fe80::1]/', false, false, 'IPv6 link-local'],
  ['https://[febf:ffff::1]/', false, false, 'top of fe80::/10'],
  ['https://[fc00::1]/', false, false, 'IPv6 unique-local'],
  ['https://[fd12:3456::1]/', false, false, 'IPv6 unique-local, fd'],
  ['https://[fec0::1]/', false, false, 'IPv6 site-local (deprecated)'],
  ['https://[ff02::1]/', false, false, 'IPv6 multicast'],
  ['https://[2001:db8::1]/', false, false, 'IPv6 documentation'],
  ['https://[::ffff:10.0.0.1]/', false, false, 'private IPv4, IPv4-mapped'],
  ['https://[::ffff:a9fe:a9fe]/', false, false, 'link-local IPv4, IPv4-mapped in hex'],
  ['https://[64:ff9b::a00:1]/', false, false, 'NAT64'],
  ['https://[2002:a00:1::1]/', false, false, '6to4'],

  // Names that only mean something inside a network
  ['https://printer.local/hook', false, false, 'mDNS'],
  ['https://metadata.google.internal/', false, false, 'an internal name'],
  ['https://intranet/hook', false, false, 'a single-label name'],
  ['https://intranet./hook', false, false, 'a single-label name with a trailing dot'],
  ['https://example..com/hook', false, false, 'an empty label'],
  ['https://.example.com/hook', false, false, 'a leading dot'],
]

describe('endpointUrlProblem', () => {
  it.each(table)('%s: production %s, development %s (%s)', (url, production, development) => {
    expect(endpointUrlProblem(url, 'production') === null).toBe(production)
    expect(endpointUrlProblem(url, 'development') === null).toBe(development)
  })

  it('says why in a short sentence', () => {
    expect(endpointUrlProblem('nope', 'production')).toBe('must be an absolute URL')
    expect(endpointUrlProblem('http://example.com/', 'production')).toBe('must use https')
    expect(endpointUrlProblem('http://example.com/', 'development')).toBe('must use https (http only to loopback)')
    expect(endpointUrlProblem('https://u:p@example.com/', 'production')).toBe('must not contain a username or password')
    expect(endpointUrlProblem('https://10.0.0.1/', 'development')).toBe('must not point at a private, loopback or reserved address')
    expect(endpointUrlProblem('https://intranet/', 'production')).toBe('must name a public host')
  })

  it('takes URLs up to 2048 characters and no longer', () => {
    const base = 'https://example.com/'
    const at = (length: number) => base + 'a'.repeat(length - base.length)
    expect(endpointUrlProblem(at(MAX_ENDPOINT_URL_LENGTH), 'production')).toBeNull()
    expect(endpointUrlProblem(at(MAX_ENDPOINT_URL_LENGTH + 1), 'production')).toBe('must be at most 2048 characters')
  })

  it('counts the length URL would call, too: percent-encoding can lengthen it past the limit', () => {
    const url = 'https://example.com/' + 'é'.repeat(1000)
    expect(url.length).toBeLessThan(MAX_ENDPOINT_URL_LENGTH)
    expect(endpointUrlProblem(url, 'production')).toBe('must be at most 2048 characters')
  })

  it('never throws, and refuses in production whatever development refuses (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })), (url) => {
        const production = endpointUrlProblem(url, 'production')
        const development = endpointUrlProblem(url, 'development')
        if (development !== null) expect(production).not.toBeNull()
      }),
    )
  })

  it('refuses every address in 10/8, 172.16/12 and 192.168/16, however URL spells it, in either mode (property)', () => {
    const privateArb = fc.oneof(
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
    )
    fc.assert(
      fc.property(privateArb, fc.constantFrom('dotted', 'number', 'hex', 'mapped'), ([a, b, c, d], form) => {
        const n = ((a * 256 + b) * 256 + c) * 256 + d
        const host = { dotted: `${a}.${b}.${c}.${d}`, number: `${n}`, hex: `0x${n.toString(16)}`, mapped: `[::ffff:${a}.${b}.${c}.${d}]` }[form]
        expect(endpointUrlProblem(`https://${host}/hook`, 'production')).not.toBeNull()
        expect(endpointUrlProblem(`https://${host}/hook`, 'development')).not.toBeNull()
      }),
    )
  })
})

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['169.254.169.254', true],
    ['100.64.0.0', true],
    ['100.63.255.255', false],
    ['100.128.0.0', false],
    ['172.15.255.255', false],
    ['172.32.0.0', false],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    // The odd forms, as written, not only as URL normalises them
    ['2130706433', true],
    ['0x7f.1', true],
    ['0177.0.0.1', true],
    ['[::1]', true],
    ['::1', true],
    ['[::ffff:10.0.0.1]', true],
    ['[::ffff:a00:1]', true],
    ['[fe80::1]', true],
    ['[fc00::1]', true],
    ['[2606:4700::1111]', false],
    ['[::ffff:8.8.8.8]', false],
    // Names are not addresses: only a resolver can judge them
    ['example.com', false],
    ['localhost', false],
    ['0x7f.example', false],
    ['', false],
    ['[not:an:address]', false],
    ['[1::2::3]', false],
    ['[1:2:3:4:5:6:7:8:9]', false],
  ])('%s → %s', (host, expected) => {
    expect(isPrivateAddress(host)).toBe(expected)
  })

  it('agrees with itself on the host URL normalises an address to (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended()), (address) => {
        expect(isPrivateAddress(new URL(`http://${address}/`).hostname)).toBe(isPrivateAddress(address))
      }),
    )
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        expect(isPrivateAddress(new URL(`http://[${address}]/`).hostname)).toBe(isPrivateAddress(`[${address}]`))
      }),
    )
  })
})

describe('isIpAddress', () => {
  it.each([
    ['93.184.216.34', true],
    ['10.0.0.5', true],
    ['2130706433', true],
    ['::1', true],
    ['[2606:4700::1111]', true],
    ['::ffff:10.0.0.5', true],
    ['example.com', false],
    ['localhost', false],
    ['', false],
    ['1::2::3', false],
  ])('%s → %s', (host, expected) => {
    expect(isIpAddress(host)).toBe(expected)
  })
})
