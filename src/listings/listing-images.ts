import { reject } from '../core/decision'
import { accepted, type ListingDecision } from './listing-decision'
import { listingStatus, type ListingImage, type ListingState } from './listing-state'

/**
 * A listing's photos: the seller adds and removes them while the listing is active. The bytes live
 * in object storage; the listing keeps their record (id, type, size), so every view, event and
 * watcher shows them. Pure.
 */

/** The most photos one listing holds. */
export const MAX_LISTING_IMAGES = 10

export type ImageRejection = { code: 'not_seller' } | { code: 'listing_closed' } | { code: 'image_limit'; limit: number } | { code: 'image_not_found' }

/** Where a photo's bytes are kept: the ids make the key unguessable (80 random bits in the image id). */
export const imageKey = (listingId: string, imageId: string): string => `listings/${listingId}/${imageId}`

/** Where a photo is served: an absolute path on the same host. */
export const imageUrl = (listingId: string, imageId: string): string => `/images/${imageKey(listingId, imageId)}`

export const imagesOf = (s: Pick<ListingState, 'images'>): ListingImage[] => s.images ?? []

/**
 * Why `actorId` may not add a photo to the listing now, or null when they may: the seller only,
 * while it is active, below MAX_LISTING_IMAGES. Asked before the bytes are stored, and again by
 * `addImage` when they are.
 */
export function imageRefusal(s: ListingState, actorId: string, now: Date): ImageRejection | null {
  if (actorId !== s.sellerId) return { code: 'not_seller' }
  if (listingStatus(s, now) !== 'active') return { code: 'listing_closed' }
  if (imagesOf(s).length >= MAX_LISTING_IMAGES) return { code: 'image_limit', limit: MAX_LISTING_IMAGES }
  return null
}

export function addImage(s: ListingState, actorId: string, image: ListingImage, now: Date): ListingDecision<ImageRejection> {
  // The same photo again (its id is the upload's) changes nothing.
  if (actorId === s.sellerId && imagesOf(s).some((i) => i.id === image.id)) return accepted(s, [])
  const refusal = imageRefusal(s, actorId, now)
  if (refusal) return reject(refusal)
  return accepted({ ...s, images: [...imagesOf(s), image], updatedAt: now.toISOString() }, [{ type: 'listing.images_changed', data: { added: [image.id], removed: [] }, private: {} }])
}

export function removeImage(s: ListingState, actorId: string, imageId: string, now: Date): ListingDecision<ImageRejection> {
  if (actorId !== s.sellerId) return reject({ code: 'not_seller' })
  if (!imagesOf(s).some((i) => i.id === imageId)) return reject({ code: 'image_not_found' })
  if (listingStatus(s, now) !== 'active') return reject({ code: 'listing_closed' })
  return accepted({ ...s, images: imagesOf(s).filter((i) => i.id !== imageId), updatedAt: now.toISOString() }, [
    { type: 'listing.images_changed', data: { added: [], removed: [imageId] }, private: {} },
  ])
}
