/**
 * IP ranges for the edge blocklist: CIDRs parsed once into (family, network bits, prefix length)
 * so each request costs a few integer comparisons per range. IPv4 and IPv6 (with `::` and an
 * embedded IPv4 tail); an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) matches IPv4 ranges.
 */
export type Cidr = { family: 4 | 6; bits: bigint; prefix: number }

function parseV4(s: string): bigint | null {
  const parts = s.split('.')
  if (parts.length !== 4) return null
  let n = 0n
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null
    n = (n << 8n) | BigInt(p)
  }
  return n
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null
  let text = s
  if (s.includes('.')) {
    // An IPv4 tail (`::ffff:1.2.3.4`) is two groups written another way.
    const at = s.lastIndexOf(':')
    const v4 = parseV4(s.slice(at + 1))
    if (v4 === null) return null
    text = `${s.slice(0, at + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const groups = (x: string) => (x === '' ? [] : x.split(':'))
  const left = groups(halves[0] ?? '')
  const right = halves.length === 2 ? groups(halves[1] ?? '') : []
  const missing = 8 - left.length - right.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  let n = 0n
  for (const g of [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
    n = (n << 16n) | BigInt(parseInt(g, 16))
  }
  return n
}

export function parseIp(s: string): { family: 4 | 6; bits: bigint } | null {
  const v4 = parseV4(s)
  if (v4 !== null) return { family: 4, bits: v4 }
  const v6 = s.includes(':') ? parseV6(s) : null
  if (v6 === null) return null
  // An IPv4-mapped address is the IPv4 address.
  if (v6 >> 32n === 0xffffn) return { family: 4, bits: v6 & 0xffffffffn }
  return { family: 6, bits: v6 }
}

/** `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128). Host bits must be zero. */
export function parseCidr(s: string): Cidr | null {
  const [addr, len, extra] = s.trim().split('/')
  if (extra !== undefined || addr === undefined) return null
  const ip = parseIp(addr)
  if (!ip) return null
  // A range written as IPv4-mapped IPv6 would need its prefix translated: ask for the IPv4 form.
  if (addr.includes(':') && ip.family === 4 && len !== undefined) return null
  const width = ip.family === 4 ? 32 : 128
  if (len !== undefined && !/^(0|[1-9]\d{0,2})$/.test(len)) return null
  const prefix = len === undefined ? width : Number(len)
  if (prefix > width) return null
  const hostMask = (1n << BigInt(width - prefix)) - 1n
  if ((ip.bits & hostMask) !== 0n) return null
  return { family: ip.family, bits: ip.bits, prefix }
}

export const formatCidr = (c: Cidr): string => `${c.family === 4 ? formatV4(c.bits) : formatV6(c.bits)}/${c.prefix}`

function formatV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.')
}

function formatV6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16))
  return groups.join(':')
}

export function contains(c: Cidr, ip: { family: 4 | 6; bits: bigint }): boolean {
  if (c.family !== ip.family) return false
  const width = c.family === 4 ? 32 : 128
  return ip.bits >> BigInt(width - c.prefix) === c.bits >> BigInt(width - c.prefix)
}

/** A blocklist compiled once: does any range hold this address? An unparsable address is not held. */
export function blocklistMatcher(ranges: readonly Cidr[]): (address: string) => boolean {
  if (ranges.length === 0) return () => false
  return (address) => {
    const ip = parseIp(address)
    return ip !== null && ranges.some((r) => contains(r, ip))
  }
}
