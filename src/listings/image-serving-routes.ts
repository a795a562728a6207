import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { Problem } from '../http/problem'
import { imageKey } from './listing-images'
import { readImage } from './listing-image-store'
import { listingIdPattern } from './listing-schemas'

/**
 * `GET /images/listings/{listing id}/{image id}`: a listing photo, streamed from R2. Outside /v1:
 * the bytes behind a key never change (a new photo is a new key), so they carry no API version,
 * need no credential, rate limit or settings, and are cached for a year by browsers and any CDN
 * (`immutable`); a listing view names them by this absolute path. The stored content type is
 * repeated and never sniffed (`nosniff`), and `default-src 'none'` keeps an image opened on its
 * own from running anything. `If-None-Match` with its ETag is 304.
 */
const imageIdPattern = /^img_[0-9a-z]{26}$/
const immutable = 'public, max-age=31536000, immutable'

export const imageServingRoutes = new Hono<AppEnv>().get('/images/listings/:listingId/:imageId', async (c) => {
  const { listingId, imageId } = c.req.param()
  if (!listingIdPattern.test(listingId) || !imageIdPattern.test(imageId)) throw new Problem(404, 'not_found')
  const ifNoneMatch = c.req.header('if-none-match')
  const object = await readImage(c.env.IMAGES, imageKey(listingId, imageId), new Headers(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}))
  if (!object) throw new Problem(404, 'not_found')
  const headers = {
    ETag: object.httpEtag,
    'Cache-Control': immutable,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
  }
  if (!('body' in object)) return c.body(null, 304, headers)
  return c.body(object.body, 200, { ...headers, 'Content-Type': object.httpMetadata?.contentType ?? 'application/octet-stream', 'Content-Length': String(object.size) })
})
