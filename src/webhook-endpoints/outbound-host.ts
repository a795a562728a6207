import { isIpAddress, isPrivateAddress } from './endpoint-url'
import { resolvedAddressesProblem, type DnsAnswer } from './resolved-addresses'

/**
 * The guard Souk runs before it connects to a URL someone else chose (a webhook endpoint, a push
 * service): the host must be, or resolve only to, public addresses. It catches a public name that
 * points inside a network, which checking the URL's text cannot. Call it in production only:
 * locally, receivers under test listen on loopback, which it refuses.
 */

/** A resolver's word on one host: its A and AAAA answers, or why there are none (it timed out, …). */
export type HostLookup = { ok: true; answers: DnsAnswer[] } | { ok: false; error: string }

/** Looks up the A and AAAA records of a host name (lower case, no trailing dot). Never throws. */
export type ResolveHost = (host: string) => Promise<HostLookup>

/**
 * Why not to connect now: `refused`, the host is (or resolves to) somewhere Souk never calls, or
 * does not exist, which is the URL owner's to fix; `unresolved`, Souk's resolver could not answer,
 * which is Souk's own failure and says nothing about the receiver.
 */
export type HostProblem = { kind: 'refused' | 'unresolved'; reason: string }

/**
 * Null when `url`'s host may be connected to now, else why not. IP literals are judged as they
 * are; names are resolved with `resolve`, and a failed lookup refuses too (fail closed).
 *
 * @example
 * const problem = await outboundHostProblem('https://hooks.example.com/souk', cloudflareDoh)
 * if (problem?.kind === 'refused') return recordFailure(problem.reason) // e.g. 'host resolves to a private address'
 */
export async function outboundHostProblem(url: string, resolve: ResolveHost): Promise<HostProblem | null> {
  const refused = (reason: string | null): HostProblem | null => (reason === null ? null : { kind: 'refused', reason })
  let hostname: string
  try {
    hostname = new URL(url).hostname
  } catch {
    return refused('not an absolute URL')
  }
  if (hostname === '') return refused('no host')
  if (isIpAddress(hostname)) return refused(isPrivateAddress(hostname) ? 'host is a private address' : null)
  const lookup = await resolve(hostname.toLowerCase().replace(/\.$/, ''))
  if (!lookup.ok) return { kind: 'unresolved', reason: `host could not be resolved (${lookup.error})` }
  return refused(resolvedAddressesProblem(lookup.answers))
}
