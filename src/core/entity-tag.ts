import { toBase64Url } from './bytes'

/**
 * Entity tags (RFC 9110 §8.8.3) and the If-None-Match test (§13.1.2). Pure: the shell hashes.
 */

/** The strong tag of a versioned resource, `"12"`: the form If-Match takes back. */
export const versionTag = (version: number): string => `"${version}"`

/** A weak tag from a digest of the representation: equal content, equal tag. */
export const digestTag = (digest: Uint8Array): string => `W/"${toBase64Url(digest.subarray(0, 16))}"`

/**
 * Whether an If-None-Match header names `etag`: `*`, or a list holding a tag with the same
 * opaque part (weak comparison, so `W/"1"` and `"1"` match). A header that is not a list of
 * tags names nothing, and the caller gets the full answer.
 */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  const wanted = opaque(etag)
  // Tags may hold commas inside their quotes, so they are matched whole, not split on commas.
  const list = /^\s*(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*(?:,\s*(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*)*$/
  if (!list.test(header)) return false
  for (const [tag] of header.matchAll(/(?:W\/)?"[^"]*"/g)) if (opaque(tag) === wanted) return true
  return false
}

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag)
