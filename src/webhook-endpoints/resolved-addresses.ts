import { isIpAddress, isPrivateAddress } from './endpoint-url'

/**
 * Whether the addresses a host name resolves to are all ones Souk may connect to. A public name
 * can point at 10.0.0.5 or 169.254.169.254 as easily as at a public server, so a name is judged by
 * its addresses: every A and AAAA record must be public, and a lookup that failed or found nothing
 * refuses (fail closed: what could not be seen cannot be trusted). CNAMEs are followed only as far
 * as the resolver already followed them: the addresses it put in the same answer are the ones judged.
 */

/** One record of a DNS answer, as a DNS-over-HTTPS JSON answer gives it (`type`: 1 A, 28 AAAA, 5 CNAME). */
export type DnsRecord = { name: string; type: number; ttl: number; data: string }

/** One query's answer: its RCODE (`status`: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN) and its records. */
export type DnsAnswer = { status: number; records: DnsRecord[] }

export const DNS_NOERROR = 0
export const DNS_NXDOMAIN = 3
export const DNS_A = 1
export const DNS_AAAA = 28

export const PRIVATE_ADDRESS = 'host resolves to a private address'

/** Null when the answers (A and AAAA for one host) allow connecting, else a short reason. */
export function resolvedAddressesProblem(answers: readonly DnsAnswer[]): string | null {
  // Both families must be known: a failed AAAA query could hide the private address a connection would use.
  for (const { status } of answers) {
    if (status === DNS_NXDOMAIN) return 'host does not exist'
    if (status !== DNS_NOERROR) return `host could not be resolved (DNS status ${status})`
  }
  const addresses = answers.flatMap((a) => a.records).filter((r) => r.type === DNS_A || r.type === DNS_AAAA)
  if (addresses.length === 0) return 'host has no address'
  if (addresses.some((r) => isReadable(r) && isPrivateAddress(r.data))) return PRIVATE_ADDRESS
  if (!addresses.every(isReadable)) return 'host resolves to an unreadable address'
  return null
}

/** Dotted decimal without leading zeros: the one IPv4 spelling a resolver writes, so no octal or hex reading. */
const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** An A record holds an IPv4 address and an AAAA record an IPv6 one; anything else is not judged public. */
function isReadable(r: DnsRecord): boolean {
  if (r.type === DNS_A) return DOTTED_QUAD.test(r.data)
  return /^[0-9a-f:.]+$/i.test(r.data) && r.data.includes(':') && isIpAddress(r.data)
}
