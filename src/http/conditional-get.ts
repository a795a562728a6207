import type { Context } from 'hono'
import { utf8 } from '../core/bytes'
import { digestTag, noneMatchHits } from '../core/entity-tag'
import type { AppEnv } from '../env'

/**
 * Conditional GET for public reads: every answer carries its validator (`ETag`) and how it may be
 * cached; a request whose `If-None-Match` already names the current tag is answered 304, with no
 * body and the same headers. The route still does its read: what a 304 saves is the transfer.
 */
export type CachePolicy = { cacheControl: string; vary?: string }

/**
 * The listing itself, read from its object: anyone may store it, nobody may reuse it without
 * asking (`no-cache`), so a revalidation always reaches the object and is as fresh as a read.
 */
export const revalidateEachTime: CachePolicy = { cacheControl: 'public, no-cache' }

/**
 * Search and facets, read from the read model (which trails the objects anyway). An anonymous
 * caller's answer may be reused for 5 s by anyone; a signed-in caller's is theirs alone and is
 * revalidated each time, since they must see their own writes at once. `Vary: Authorization`
 * keeps a shared cache from handing the anonymous answer to a signed-in caller.
 */
export function readModelPolicy(c: Context<AppEnv>): CachePolicy {
  return c.var.principal ? { cacheControl: 'private, no-cache', vary: 'Authorization' } : { cacheControl: 'public, max-age=5', vary: 'Authorization' }
}

/**
 * Sets `ETag`, `Cache-Control` and `Vary`; true when the caller's copy is current, and the route
 * answers `c.body(null, 304)`.
 */
export function notModified(c: Context<AppEnv>, etag: string, policy: CachePolicy): boolean {
  c.header('ETag', etag)
  c.header('Cache-Control', policy.cacheControl)
  if (policy.vary) c.header('Vary', policy.vary, { append: true })
  return noneMatchHits(c.req.header('if-none-match'), etag)
}

/** A weak tag for a JSON body: SHA-256 of exactly what `c.json(body)` sends. */
export async function contentTag(body: unknown): Promise<string> {
  return digestTag(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(JSON.stringify(body)))))
}
