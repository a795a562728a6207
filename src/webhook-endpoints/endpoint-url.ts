/**
 * Which URLs a user may register as a webhook endpoint. Souk will POST to them from its own
 * network, so a URL that names an internal address would let anyone make Souk call its own
 * neighbours (server-side request forgery): production takes only https to a public host;
 * development also takes http and https to loopback, where a receiver under test listens.
 *
 * Hosts are judged as URL parses them, so the odd spellings of an IPv4 address that the WHATWG
 * parser normalises (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` are all 127.0.0.1) are judged
 * as the address they mean. DNS names are checked by name only here: a public name may still
 * resolve to a private address, and refusing that needs a resolver, so it is left to the delivery
 * side (outbound-host.ts, before every attempt in production).
 */
export type EndpointUrlMode = 'production' | 'development'

export const MAX_ENDPOINT_URL_LENGTH = 2048

/** Null when `raw` is acceptable in `mode`, else a short reason a person can act on. */
export function endpointUrlProblem(raw: string, mode: EndpointUrlMode): string | null {
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) return `must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`
  // The parser would silently drop them; what is stored and shown should be what is called.
  if (/[\s\p{Cc}]/u.test(raw)) return 'must not contain spaces or control characters'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https'
  if (url.username !== '' || url.password !== '') return 'must not contain a username or password'
  if (url.href.length > MAX_ENDPOINT_URL_LENGTH) return `must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`
  const host = hostKind(url.hostname)
  if (host === 'loopback' && mode === 'development') return null
  if (host === 'loopback' || host === 'private') return 'must not point at a private, loopback or reserved address'
  if (host === 'local_name') return 'must name a public host'
  if (url.protocol !== 'https:') return mode === 'development' ? 'must use https (http only to loopback)' : 'must use https'
  return null
}

/**
 * Whether `host` (as `URL.hostname` gives it: IPv6 in brackets) is an IP address outside the
 * public internet: private, loopback, link-local, CGNAT, documentation, multicast or otherwise
 * reserved. False for DNS names, which only a resolver can judge.
 */
export function isPrivateAddress(host: string): boolean {
  const kind = addressKind(host)
  return kind === 'loopback' || kind === 'private'
}

/** Whether `host` is an IP address in any form this module reads (IPv6 with or without brackets). */
export function isIpAddress(host: string): boolean {
  return addressKind(host) !== null
}

type AddressKind = 'public' | 'loopback' | 'private'
type HostKind = AddressKind | 'local_name'

function hostKind(hostname: string): HostKind {
  const address = addressKind(hostname)
  if (address !== null) return address
  const name = hostname.toLowerCase().replace(/\.$/, '')
  // RFC 6761: localhost and every name under it mean this machine.
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback'
  // mDNS names, names private networks use, and bare names a resolver completes with a local search domain.
  if (name.endsWith('.local') || name.endsWith('.internal') || !name.includes('.')) return 'local_name'
  // `a..b` or `.a.b`: no public name has an empty label.
  if (name.split('.').includes('')) return 'local_name'
  return 'public'
}

/** What address `host` is, or null when it is not an IP address at all. */
function addressKind(host: string): AddressKind | null {
  const bracketed = host.startsWith('[') && host.endsWith(']')
  if (bracketed || host.includes(':')) {
    const address = parseIPv6(bracketed ? host.slice(1, -1) : host)
    return address === null ? null : ipv6Kind(address)
  }
  const address = parseIPv4(host)
  return address === null ? null : ipv4Kind(address)
}

/** IANA's special-purpose IPv4 blocks that are not loopback: none of them is a public host. */
const ipv4Reserved = [
  '0.0.0.0/8', // "this network", with the unspecified address
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '169.254.0.0/16', // link-local, where cloud metadata services answer
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, with the broadcast address
].map((cidr) => ipv4Block(cidr))

function ipv4Kind(address: number): AddressKind {
  if (inIPv4Block(address, ipv4Block('127.0.0.0/8'))) return 'loopback'
  return ipv4Reserved.some((block) => inIPv4Block(address, block)) ? 'private' : 'public'
}

/**
 * Only global unicast (2000::/3) holds public hosts. Within it, these are not: IETF protocol
 * assignments (Teredo among them), documentation, and 6to4, whose tunnels reach an embedded IPv4
 * address a relay picks; they are refused whole rather than decoded.
 */
const ipv6GlobalUnicast = ipv6Block('2000::/3')
const ipv6Reserved = ['2001::/23', '2001:db8::/32', '2002::/16', '3fff::/20'].map((cidr) => ipv6Block(cidr))
const ipv6Mapped = ipv6Block('::ffff:0:0/96')

function ipv6Kind(address: bigint): AddressKind {
  if (address === 1n) return 'loopback'
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d, however it is written.
  if (inIPv6Block(address, ipv6Mapped)) return ipv4Kind(Number(address & 0xffff_ffffn))
  if (!inIPv6Block(address, ipv6GlobalUnicast)) return 'private'
  return ipv6Reserved.some((block) => inIPv6Block(address, block)) ? 'private' : 'public'
}

/**
 * An IPv4 address as the WHATWG URL parser reads a host: one to four dot-separated numbers, each
 * decimal, octal (leading 0) or hex (0x), the last filling the bytes that remain. Null when `host`
 * is not one, i.e. it is a name.
 */
function parseIPv4(host: string): number | null {
  const parts = host.split('.')
  if (parts.length > 1 && parts.at(-1) === '') parts.pop()
  if (parts.length > 4) return null
  const numbers: number[] = []
  for (const part of parts) {
    const n = parseIPv4Number(part)
    if (n === null) return null
    numbers.push(n)
  }
  const last = numbers.pop()
  if (last === undefined || numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null
  return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last)
}

function parseIPv4Number(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16)
  if (/^0[0-7]+$/.test(part)) return parseInt(part, 8)
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part)
  return null
}

/** An IPv6 address in text form (`::` compression and a dotted IPv4 tail allowed), as 128 bits. */
function parseIPv6(text: string): bigint | null {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const compressed = halves.length === 2
  const head = parseIPv6Groups(halves[0] ?? '', !compressed)
  const tail = compressed ? parseIPv6Groups(halves[1] ?? '', true) : []
  if (head === null || tail === null) return null
  const missing = 8 - head.length - tail.length
  if (compressed ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail]
  return groups.reduce((bits, group) => (bits << 16n) | BigInt(group), 0n)
}

function parseIPv6Groups(text: string, ipv4TailAllowed: boolean): number[] | null {
  if (text === '') return []
  const parts = text.split(':')
  const groups: number[] = []
  for (const [i, part] of parts.entries()) {
    if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(parseInt(part, 16))
    } else if (ipv4TailAllowed && i === parts.length - 1 && /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/.test(part)) {
      const bytes = part.split('.').map(Number)
      if (bytes.some((b) => b > 255)) return null
      const [a = 0, b = 0, c = 0, d = 0] = bytes
      groups.push(a * 256 + b, c * 256 + d)
    } else {
      return null
    }
  }
  return groups
}

type IPv4Block = { base: number; size: number }
type IPv6Block = { base: bigint; shift: bigint }

/** 'a.b.c.d/n' as the first address and the number of addresses it spans. */
function ipv4Block(cidr: string): IPv4Block {
  const [address = '', length = '32'] = cidr.split('/')
  return { base: address.split('.').reduce((sum, byte) => sum * 256 + Number(byte), 0), size: 2 ** (32 - Number(length)) }
}

function inIPv4Block(address: number, { base, size }: IPv4Block): boolean {
  return Math.floor(address / size) === Math.floor(base / size)
}

function ipv6Block(cidr: string): IPv6Block {
  const [address = '', length = '128'] = cidr.split('/')
  return { base: parseIPv6(address) ?? 0n, shift: BigInt(128 - Number(length)) }
}

function inIPv6Block(address: bigint, { base, shift }: IPv6Block): boolean {
  return address >> shift === base >> shift
}
