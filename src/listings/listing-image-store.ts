import type { ImageType } from './image-sniff'

/**
 * The bytes of listing photos, in the R2 bucket `IMAGES` (locally, wrangler's and the tests' own
 * bucket). Keys are `listings/<listing id>/<image id>` (listing-images.ts `imageKey`); each object
 * keeps its content type, which serving repeats.
 */
export async function storeImage(bucket: R2Bucket, key: string, bytes: Uint8Array, contentType: ImageType): Promise<void> {
  await bucket.put(key, bytes, { httpMetadata: { contentType } })
}

export async function deleteImage(bucket: R2Bucket, key: string): Promise<void> {
  await bucket.delete(key)
}

/**
 * The photo at `key` for a GET with these request headers: the object with its body, the object
 * without one when `If-None-Match` names its ETag (answer 304), or null when there is none.
 */
export async function readImage(bucket: R2Bucket, key: string, conditions: Headers): Promise<R2ObjectBody | R2Object | null> {
  return bucket.get(key, { onlyIf: conditions })
}
