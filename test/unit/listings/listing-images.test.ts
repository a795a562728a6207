import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addImage, imageKey, imageRefusal, imageUrl, MAX_LISTING_IMAGES, removeImage } from '../../../src/listings/listing-images'
import { withdrawListing } from '../../../src/listings/listing-lifecycle'
import type { ListingImage, ListingState } from '../../../src/listings/listing-state'
import { listingView, withImages } from '../../../src/listings/listing-view'
import { accepted, at, DAY, LISTING_ID, MINUTE, openAuction, openFixed, refused, SELLER, T0 } from './fixtures'

const photo = (n: number, over: Partial<ListingImage> = {}): ListingImage => ({
  id: `img_${String(n).padStart(26, '0')}`,
  contentType: 'image/png',
  bytes: 1000 + n,
  width: 640,
  height: 480,
  addedAt: T0.toISOString(),
  ...over,
})

const withPhotos = (s: ListingState, n: number): ListingState => {
  let state = s
  for (let i = 0; i < n; i++) state = accepted(addImage(state, SELLER, photo(i), T0)).state
  return state
}

describe('addImage', () => {
  it('lists the seller’s photo with a listing.images_changed event, and the view shows where it is served', () => {
    const d = accepted(addImage(openFixed(), SELLER, photo(1), at(MINUTE)))
    expect(d.state.images).toEqual([photo(1)])
    expect(d.state.updatedAt).toBe(at(MINUTE).toISOString())
    expect(d.events).toEqual([{ type: 'listing.images_changed', data: { added: [photo(1).id], removed: [] }, private: {} }])
    expect(listingView(d.state, at(MINUTE)).images).toEqual([{ id: photo(1).id, url: `/images/listings/${LISTING_ID}/${photo(1).id}`, width: 640, height: 480 }])
  })

  it('shows no size when the header stated none', () => {
    const s = accepted(addImage(openFixed(), SELLER, photo(1, { width: null, height: null }), T0)).state
    expect(listingView(s, T0).images).toEqual([{ id: photo(1).id, url: imageUrl(LISTING_ID, photo(1).id) }])
  })

  it('refuses anyone but the seller, a closed listing, and an eleventh photo, changing nothing', () => {
    expect(refused(addImage(openFixed(), 'usr_buyer', photo(1), T0))).toEqual({ code: 'not_seller' })
    const withdrawn = accepted(withdrawListing(openFixed(), SELLER, T0)).state
    expect(refused(addImage(withdrawn, SELLER, photo(1), T0))).toEqual({ code: 'listing_closed' })
    expect(refused(addImage(openAuction({}, MINUTE), SELLER, photo(1), at(2 * MINUTE)))).toEqual({ code: 'listing_closed' })
    const full = withPhotos(openFixed(), MAX_LISTING_IMAGES)
    expect(full.images).toHaveLength(10)
    expect(refused(addImage(full, SELLER, photo(99), T0))).toEqual({ code: 'image_limit', limit: 10 })
    expect(imageRefusal(full, SELLER, T0)).toEqual({ code: 'image_limit', limit: 10 })
  })

  it('takes the same photo twice as once', () => {
    const s = accepted(addImage(openFixed(), SELLER, photo(1), T0)).state
    const again = accepted(addImage(s, SELLER, photo(1), at(MINUTE)))
    expect(again.state).toBe(s)
    expect(again.events).toEqual([])
  })

  it('asks beforehand exactly what it would refuse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 * DAY }), (n, seller, withdrawn, laterMs) => {
        let s = withPhotos(openAuction({}, DAY), Math.min(n, MAX_LISTING_IMAGES))
        if (withdrawn) s = accepted(withdrawListing(s, SELLER, T0)).state
        const actor = seller ? SELLER : 'usr_other'
        const d = addImage(s, actor, photo(50), at(laterMs))
        const asked = imageRefusal(s, actor, at(laterMs))
        expect(d.ok ? null : d.rejection).toEqual(asked)
      }),
    )
  })
})

describe('removeImage', () => {
  it('drops the photo, keeps the others in order, and says which went', () => {
    const s = withPhotos(openFixed(), 3)
    const d = accepted(removeImage(s, SELLER, photo(1).id, at(MINUTE)))
    expect(d.state.images?.map((i) => i.id)).toEqual([photo(0).id, photo(2).id])
    expect(d.events).toEqual([{ type: 'listing.images_changed', data: { added: [], removed: [photo(1).id] }, private: {} }])
  })

  it('refuses anyone but the seller, an unknown photo and a closed listing', () => {
    const s = withPhotos(openFixed(), 1)
    expect(refused(removeImage(s, 'usr_buyer', photo(0).id, T0))).toEqual({ code: 'not_seller' })
    expect(refused(removeImage(s, SELLER, photo(7).id, T0))).toEqual({ code: 'image_not_found' })
    expect(refused(removeImage(openFixed(), SELLER, photo(0).id, T0))).toEqual({ code: 'image_not_found' })
    const withdrawn = accepted(withdrawListing(s, SELLER, T0)).state
    expect(refused(removeImage(withdrawn, SELLER, photo(0).id, T0))).toEqual({ code: 'listing_closed' })
  })
})

describe('where photos live', () => {
  it('keys each under its listing and serves it at /images/ plus the key', () => {
    expect(imageKey('lst_a', 'img_b')).toBe('listings/lst_a/img_b')
    expect(imageUrl('lst_a', 'img_b')).toBe('/images/listings/lst_a/img_b')
  })

  it('reads state and snapshots stored before photos existed as having none', () => {
    const old = openFixed()
    delete old.images
    expect(listingView(old, T0).images).toEqual([])
    const { images: _gone, ...before } = listingView(old, T0)
    expect(withImages(before).images).toEqual([])
    const withOne = listingView(withPhotos(openFixed(), 1), T0)
    expect(withImages(withOne)).toEqual(withOne)
  })
})
