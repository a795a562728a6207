import { constantTimeEqual, sha256Hex, utf8 } from '../core/bytes'

/**
 * Cross-site request forgery, two locks on every state-changing page request (docs/SECURITY.md
 * "Pages"): the browser must say the request comes from this origin (`Sec-Fetch-Site:
 * same-origin`, and `Origin` equal to ours when sent; a request with neither is refused), and
 * the form must carry the session's CSRF token. The cookie is also `SameSite=Strict`, so another
 * site's form does not even send it.
 */

export type RequestOriginHeaders = { origin?: string | null; secFetchSite?: string | null }

/** Why a state-changing request is refused as cross-site, or undefined when it came from `ownOrigin`. */
export function crossSiteRefusal(h: RequestOriginHeaders, ownOrigin: string): string | undefined {
  const site = h.secFetchSite ?? null
  const origin = h.origin ?? null
  if (site === null && origin === null) return 'the request names neither its Origin nor Sec-Fetch-Site'
  // `same-site` is not enough: a sibling subdomain is another party.
  if (site !== null && site !== 'same-origin') return `Sec-Fetch-Site is ${site}`
  if (origin !== null && origin !== ownOrigin) return `Origin ${origin} is not ${ownOrigin}`
  return undefined
}

/**
 * The session's CSRF token: a hash of its session token under a label of its own. Only someone
 * who holds the session token (in an HttpOnly cookie that no script reads) can make it, it changes
 * with every session, and nothing needs storing.
 */
export async function csrfTokenFor(sessionToken: string): Promise<string> {
  return sha256Hex(`souk-page-csrf:${sessionToken}`)
}

/** Whether a form's token is the session's, compared in constant time. */
export async function csrfTokenMatches(sessionToken: string, sent: unknown): Promise<boolean> {
  if (typeof sent !== 'string' || sent.length === 0) return false
  const expected = utf8(await csrfTokenFor(sessionToken))
  const given = utf8(sent)
  return given.length === expected.length && constantTimeEqual(given, expected)
}
