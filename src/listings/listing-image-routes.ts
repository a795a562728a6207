import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import type { LargerBody } from '../http/body-limit'
import { answerBookmark, BookmarkAnswered } from '../http/bookmark-header'
import { problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, systemClock } from '../platform/runtime'
import { imageTypes, judgeImage, MAX_IMAGE_BYTES } from './image-sniff'
import { listingStub } from './listing-object'
import { listingProblem } from './listing-problems'
import { imageKey, imageUrl, MAX_LISTING_IMAGES } from './listing-images'
import { deleteImage, storeImage } from './listing-image-store'
import { ImageIdParam, ListingIdParam, ListingImageSchema } from './listing-schemas'
import { projectOwnWrite } from './own-write-store'

/**
 * A listing's photos: the seller uploads the raw bytes of a JPEG, PNG or WebP image, whose type is
 * sniffed from the bytes; they are stored in R2 and the listing lists them (docs/LISTINGS.md
 * "Photos"). Serving them is image-serving-routes.ts.
 */

/** The upload route takes up to 5 MB, where every other /v1 body stops at 64 KiB (app.ts passes it to bodyLimit). */
export const imageUploadBody: LargerBody = { method: 'POST', path: /^\/v1\/listings\/[^/]+\/images$/, maxSize: MAX_IMAGE_BYTES }

const tags = ['Listings']
const security = [{ bearer: [] }]
const binary = z.string().openapi({ format: 'binary' })
const problemContent = problems[409].content

const uploadImageRoute = createRoute({
  method: 'post',
  path: '/listings/{id}/images',
  tags,
  security,
  summary: `The seller adds a photo: the raw bytes of a JPEG, PNG or WebP image (at most 5 MB), typed by its bytes; at most ${MAX_LISTING_IMAGES} a listing`,
  middleware: [requireAccess('listings.write')] as const,
  request: {
    params: ListingIdParam,
    body: {
      required: true,
      description: 'The image itself, not JSON. `Content-Type` must say what the bytes are: JPEG, PNG and WebP are told by their first bytes.',
      content: Object.fromEntries(imageTypes.map((t) => [t, { schema: binary }])),
    },
  },
  responses: {
    201: {
      description: 'Stored and listed; `Location` is where it is served',
      headers: BookmarkAnswered.extend({ Location: z.string().openapi({ description: 'The photo’s URL (an absolute path)' }) }),
      content: { 'application/json': { schema: ListingImageSchema } },
    },
    403: problems[403],
    404: problems[404],
    409: { description: '`image_limit`: the listing has its 10 photos; `listing_closed`: it is no longer active', content: problemContent },
    413: { description: '`payload_too_large`: over 5 MB', content: problemContent },
    415: { description: '`unsupported_image_type`: not a JPEG, PNG or WebP, or not declared as one; `image_type_mismatch`: the bytes are another type than declared', content: problemContent },
  },
})

const deleteImageRoute = createRoute({
  method: 'delete',
  path: '/listings/{id}/images/{imageId}',
  tags,
  security,
  summary: 'The seller removes a photo from the listing and from storage',
  middleware: [requireAccess('listings.write')] as const,
  request: { params: ImageIdParam },
  responses: { 204: { description: 'Removed', headers: BookmarkAnswered }, 403: problems[403], 404: problems[404], 409: problems[409] },
})

const tooLarge = () => new Problem(413, 'payload_too_large', `A photo must be at most ${MAX_IMAGE_BYTES} bytes`)

/**
 * The request's bytes, counted as they arrive: over `max` is 413 as soon as it is, whatever
 * `Content-Length` said. When the idempotency middleware has read the body already (to fingerprint
 * it), Hono keeps what it read, and that is counted instead.
 */
async function uploadedBytes(c: Context<AppEnv>, max: number): Promise<Uint8Array> {
  if (c.req.raw.bodyUsed) {
    const kept = new Uint8Array(await c.req.arrayBuffer())
    if (kept.byteLength > max) throw tooLarge()
    return kept
  }
  const body = c.req.raw.body
  if (!body) return new Uint8Array(0)
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return bytes
}

export const listingImageRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(uploadImageRoute, async (c) => {
    const seller = principalOf(c)
    const { id } = c.req.valid('param')
    const bytes = await uploadedBytes(c, MAX_IMAGE_BYTES)
    const verdict = judgeImage(c.req.header('content-type'), bytes)
    if (!verdict.ok) throw new Problem(415, verdict.code, verdict.detail)
    const listing = listingStub(c.env, id)
    // Asked before the bytes are stored, so a refused upload stores nothing.
    const refusal = await listing.imageRefusal(seller.userId)
    if (refusal) throw listingProblem(refusal)
    const now = systemClock()
    const imageId = newId('img', now)
    const key = imageKey(id, imageId)
    await storeImage(c.env.IMAGES, key, bytes, verdict.image.type)
    const { type, width, height } = verdict.image
    const outcome = await listing.addImage(seller.userId, { id: imageId, contentType: type, bytes: bytes.byteLength, width, height, addedAt: now.toISOString() })
    if (!outcome.ok) {
      // Refused meanwhile (another upload took the last place, the listing closed): keep nothing.
      await deleteImage(c.env.IMAGES, key)
      throw listingProblem(outcome.rejection)
    }
    answerBookmark(c, await projectOwnWrite(c.env.DB, outcome.value, c.var.log))
    const url = imageUrl(id, imageId)
    c.header('Location', url)
    return c.json({ id: imageId, url, ...(width !== null && height !== null ? { width, height } : {}) }, 201)
  })
  .openapi(deleteImageRoute, async (c) => {
    const actor = principalOf(c)
    const { id, imageId } = c.req.valid('param')
    const outcome = await listingStub(c.env, id).removeImage(actor.userId, imageId)
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    answerBookmark(c, await projectOwnWrite(c.env.DB, outcome.value, c.var.log))
    try {
      await deleteImage(c.env.IMAGES, imageKey(id, imageId))
    } catch (err) {
      // The listing no longer shows it; its bytes stay until an operator deletes them.
      c.var.log.error('image_bytes_not_deleted', { listingId: id, imageId, err })
    }
    return c.body(null, 204)
  })
