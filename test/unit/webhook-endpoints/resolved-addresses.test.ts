import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPrivateAddress } from '../../../src/webhook-endpoints/endpoint-url'
import { DNS_A, DNS_AAAA, PRIVATE_ADDRESS, resolvedAddressesProblem, type DnsAnswer, type DnsRecord } from '../../../src/webhook-endpoints/resolved-addresses'

const CNAME = 5
const RRSIG = 46
const a = (data: string, name = 'hooks.example.com'): DnsRecord => ({ name, type: DNS_A, ttl: 300, data })
const aaaa = (data: string, name = 'hooks.example.com'): DnsRecord => ({ name, type: DNS_AAAA, ttl: 300, data })
const cname = (target: string, name = 'hooks.example.com'): DnsRecord => ({ name, type: CNAME, ttl: 300, data: `${target}.` })
const ok = (...records: DnsRecord[]): DnsAnswer => ({ status: 0, records })
const status = (code: number): DnsAnswer => ({ status: code, records: [] })

/** [why, A answer, AAAA answer, the reason or null] */
const table: [string, DnsAnswer, DnsAnswer, string | null][] = [
  ['a public IPv4 address', ok(a('93.184.216.34')), ok(), null],
  ['a public IPv6 address', ok(), ok(aaaa('2606:2800:220:1:248:1893:25c8:1946')), null],
  ['public addresses in both families', ok(a('93.184.216.34'), a('1.1.1.1')), ok(aaaa('2606:4700::1111')), null],
  ['a CNAME the resolver flattened to a public address', ok(cname('edge.example.net'), a('93.184.216.34', 'edge.example.net')), ok(), null],
  ['a DNSSEC signature beside the address', ok(a('93.184.216.34'), { name: 'hooks.example.com', type: RRSIG, ttl: 300, data: 'A 13 3 300 …' }), ok(), null],
  ['a private IPv4 address', ok(a('10.0.0.5')), ok(), PRIVATE_ADDRESS],
  ['the cloud metadata address', ok(a('169.254.169.254')), ok(), PRIVATE_ADDRESS],
  ['IPv4 loopback', ok(a('127.0.0.1')), ok(), PRIVATE_ADDRESS],
  ['IPv6 loopback', ok(), ok(aaaa('::1')), PRIVATE_ADDRESS],
  ['IPv6 unique-local', ok(a('93.184.216.34')), ok(aaaa('fd00::5')), PRIVATE_ADDRESS],
  ['IPv6 link-local', ok(), ok(aaaa('fe80::1')), PRIVATE_ADDRESS],
  ['a private IPv4 address, IPv4-mapped in AAAA', ok(), ok(aaaa('::ffff:10.0.0.5')), PRIVATE_ADDRESS],
  ['public and private mixed: a connection may pick either', ok(a('93.184.216.34'), a('192.168.1.10')), ok(), PRIVATE_ADDRESS],
  ['a CNAME flattened to a private address', ok(cname('db.corp.example'), a('10.1.2.3', 'db.corp.example')), ok(), PRIVATE_ADDRESS],
  ['NXDOMAIN', status(3), status(3), 'host does not exist'],
  ['SERVFAIL (a DNSSEC failure, a broken zone)', status(2), status(2), 'host could not be resolved (DNS status 2)'],
  ['a public A but the AAAA query failed', ok(a('93.184.216.34')), status(2), 'host could not be resolved (DNS status 2)'],
  ['no records at all', ok(), ok(), 'host has no address'],
  ['a CNAME the resolver did not follow to an address', ok(cname('elsewhere.example.net')), ok(), 'host has no address'],
  ['an A record that is not an IPv4 address', ok(a('hooks.example.com')), ok(), 'host resolves to an unreadable address'],
  ['an A record with a leading zero (octal to some readers)', ok(a('010.0.0.5')), ok(), 'host resolves to an unreadable address'],
  ['an A record past 255', ok(a('93.184.216.256')), ok(), 'host resolves to an unreadable address'],
  ['an AAAA record holding IPv4', ok(), ok(aaaa('93.184.216.34')), 'host resolves to an unreadable address'],
  ['an AAAA record in brackets', ok(), ok(aaaa('[2606:4700::1111]')), 'host resolves to an unreadable address'],
]

describe('resolvedAddressesProblem', () => {
  it.each(table)('%s', (_why, forA, forAaaa, expected) => {
    expect(resolvedAddressesProblem([forA, forAaaa])).toBe(expected)
  })

  it('refuses when there is no answer to judge', () => {
    expect(resolvedAddressesProblem([])).toBe('host has no address')
  })

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((bytes) => a(bytes.join('.')))
  const ipv6 = fc.ipV6().map((address) => aaaa(address))
  const noise = fc.constantFrom(cname('edge.example.net'), { name: 'hooks.example.com', type: RRSIG, ttl: 60, data: 'sig' })
  const records = fc.array(fc.oneof(ipv4, ipv6, noise), { maxLength: 8 })

  it('allows exactly the answers whose every address is public, whatever else they hold (property)', () => {
    fc.assert(
      fc.property(records, records, (forA, forAaaa) => {
        const addresses = [...forA, ...forAaaa].filter((r) => r.type === DNS_A || r.type === DNS_AAAA)
        const allowed = addresses.length > 0 && addresses.every((r) => !isPrivateAddress(r.data))
        expect(resolvedAddressesProblem([ok(...forA), ok(...forAaaa)]) === null).toBe(allowed)
      }),
    )
  })

  it('one private address among any number of public ones refuses, wherever it sits (property)', () => {
    const publicV4 = ipv4.filter((r) => !isPrivateAddress(r.data))
    const privateV4 = fc.constantFrom('10.0.0.5', '127.0.0.1', '169.254.169.254', '100.64.1.1', '0.0.0.0').map((d) => a(d))
    fc.assert(
      fc.property(fc.array(publicV4, { maxLength: 6 }), privateV4, fc.nat(), (publics, bad, at) => {
        const mixed = [...publics]
        mixed.splice(at % (publics.length + 1), 0, bad)
        expect(resolvedAddressesProblem([ok(...mixed), ok()])).toBe(PRIVATE_ADDRESS)
      }),
    )
  })
})
