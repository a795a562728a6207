/**
 * Souk's dated API versions, oldest first: the last is the current one. A breaking change adds a
 * date here and an entry in docs/CHANGELOG.md; `/v1` stays. A client pins a version with the
 * `Souk-Version` request header, and every response names the version that shaped it.
 */
export const API_VERSIONS = ['2026-12-05'] as const

export type ApiVersion = (typeof API_VERSIONS)[number]

/** The newest version: what a request that pins none gets. */
export const CURRENT_API_VERSION = API_VERSIONS[API_VERSIONS.length - 1] as ApiVersion // the list is never empty

export type VersionResolution = { ok: true; version: ApiVersion } | { ok: false; requested: string }

const isApiVersion = (value: string): value is ApiVersion => (API_VERSIONS as readonly string[]).includes(value)

/**
 * What a request's `Souk-Version` asks for. Absent: the current version. A known date (surrounding
 * whitespace ignored, as HTTP does): that version. Anything else — empty, not a date, another
 * spelling of one (`2026-12-5`, `20261205`), or a date that is no version — is unknown: the request
 * is refused rather than served in a version the client did not ask for.
 *
 * @example
 * resolveApiVersion(undefined)     // { ok: true, version: CURRENT_API_VERSION }
 * resolveApiVersion('2026-12-05')  // { ok: true, version: '2026-12-05' }
 * resolveApiVersion('2020-01-01')  // { ok: false, requested: '2020-01-01' }
 */
export function resolveApiVersion(requested: string | undefined): VersionResolution {
  if (requested === undefined) return { ok: true, version: CURRENT_API_VERSION }
  const value = requested.trim()
  return isApiVersion(value) ? { ok: true, version: value } : { ok: false, requested }
}
