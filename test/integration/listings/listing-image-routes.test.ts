import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { MAX_IMAGE_BYTES } from '../../../src/listings/image-sniff'
import { listingStub, type ListingObject } from '../../../src/listings/listing-object'
import { call, json, register, type Json } from '../support/api'
import { untilAllSaw, watchListing } from '../support/live-watchers'

/** A real 1×1 PNG (one opaque red pixel). */
const PNG_1X1 = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0))
/** The start of a JPEG: SOI, then a frame header saying 40×30. Souk reads no further. */
const JPEG_40X30 = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 30, 0x00, 40, 0x03, 0x01, 0x22, 0x00])
const WEBP = new Uint8Array([...'RIFF'].map((c) => c.charCodeAt(0)).concat([0, 0, 0, 0], [...'WEBPVP8X'].map((c) => c.charCodeAt(0)), [10, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 49, 0, 0]))
/** `size` bytes that begin as a PNG. */
const pngOfSize = (size: number) => {
  const b = new Uint8Array(size)
  b.set(PNG_1X1)
  return b
}

type Listing = Json & { id: string; version: number; images: { id: string; url: string; width?: number; height?: number }[] }
type Uploaded = { id: string; url: string; width?: number; height?: number }

async function listFixed(token: string): Promise<Listing> {
  const res = await call('/v1/listings', { method: 'POST', token, json: { title: 'Oak stool', category: 'furniture', format: 'fixed_price', price: { amount: 8000, currency: 'USD' }, quantity: 2 } })
  expect(res.status, await res.clone().text()).toBe(201)
  return json<Listing>(res)
}

const upload = (listingId: string, token: string | undefined, bytes: Uint8Array | ReadableStream, type = 'image/png', headers: Record<string, string> = {}) =>
  call(`/v1/listings/${listingId}/images`, { method: 'POST', ...(token ? { token } : {}), headers: { 'content-type': type, ...headers }, body: bytes })

const listingOf = async (id: string) => json<Listing>(await call(`/v1/listings/${id}`))
const r2Keys = async (listingId: string) => (await env.IMAGES.list({ prefix: `listings/${listingId}/` })).objects.map((o) => o.key)

/** The listing, its stored photos and its events are as they were: a refused upload changed nothing. */
async function unchanged(listing: Listing): Promise<void> {
  const now = await listingOf(listing.id)
  expect(now.version).toBe(listing.version)
  expect(now.images).toEqual(listing.images)
  expect(await r2Keys(listing.id)).toEqual(listing.images.map((i) => i.url.replace('/images/', '')))
}

describe('listing photos over HTTP', () => {
  it('uploads, shows in the listing, search and the live channel, serves with long caching and 304, and deletes', async () => {
    const seller = await register('photo-seller')
    const listing = await listFixed(seller.token)
    expect(listing.images).toEqual([])
    const watcher = await watchListing(listing.id, listing.version)

    const res = await upload(listing.id, seller.token, PNG_1X1)
    expect(res.status, await res.clone().text()).toBe(201)
    const image = await json<Uploaded>(res)
    expect(image.id).toMatch(/^img_[0-9a-z]{26}$/)
    expect(image).toEqual({ id: image.id, url: `/images/listings/${listing.id}/${image.id}`, width: 1, height: 1 })
    expect(res.headers.get('location')).toBe(image.url)

    const read = await listingOf(listing.id)
    expect(read.images).toEqual([image])
    expect(read.version).toBe(listing.version + 1)
    const found = await json<{ data: Listing[] }>(await call(`/v1/listings?sellerId=${seller.user.id}`, { headers: { 'souk-bookmark': res.headers.get('souk-bookmark') ?? '' } }))
    expect(found.data.map((l) => l.images)).toEqual([[image]])
    await untilAllSaw([watcher], listing.version + 1)
    const live = watcher.messages.find((m) => m.type === 'listing.images_changed')
    expect(live?.data).toMatchObject({ added: [image.id], removed: [], listing: { images: [image] } })
    watcher.ws.close()

    const served = await call(image.url)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(served.headers.get('x-content-type-options')).toBe('nosniff')
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'")
    const etag = served.headers.get('etag')
    expect(etag).toMatch(/^"[^"]+"$/)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG_1X1)

    const again = await call(image.url, { headers: { 'if-none-match': etag! } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(again.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await again.text()).toBe('')
    const stale = await call(image.url, { headers: { 'if-none-match': '"something-else"' } })
    expect(stale.status).toBe(200)
    await stale.arrayBuffer()

    const removed = await call(`/v1/listings/${listing.id}/images/${image.id}`, { method: 'DELETE', token: seller.token })
    expect(removed.status).toBe(204)
    expect((await listingOf(listing.id)).images).toEqual([])
    expect(await r2Keys(listing.id)).toEqual([])
    expect((await call(image.url)).status).toBe(404)
    expect(await json(await call(`/v1/listings/${listing.id}/images/${image.id}`, { method: 'DELETE', token: seller.token }))).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('takes JPEG and WebP by their bytes, whatever the parameters of Content-Type, and keeps their type', async () => {
    const seller = await register('photo-types')
    const listing = await listFixed(seller.token)
    const jpeg = await json<Uploaded>(await upload(listing.id, seller.token, JPEG_40X30, 'image/jpeg; foo=bar'))
    expect(jpeg).toMatchObject({ width: 40, height: 30 })
    const webp = await json<Uploaded>(await upload(listing.id, seller.token, WEBP, 'IMAGE/WEBP'))
    expect(webp).toMatchObject({ width: 100, height: 50 })
    expect((await call(jpeg.url)).headers.get('content-type')).toBe('image/jpeg')
    expect((await call(webp.url)).headers.get('content-type')).toBe('image/webp')
    expect((await listingOf(listing.id)).images.map((i) => i.id)).toEqual([jpeg.id, webp.id])
  })

  it('takes exactly 5 MB, and refuses a byte more with 413 whether Content-Length says so or not', async () => {
    const seller = await register('photo-big')
    const listing = await listFixed(seller.token)
    expect((await upload(listing.id, seller.token, pngOfSize(MAX_IMAGE_BYTES))).status).toBe(201)
    const taken = await listingOf(listing.id)
    const declared = await upload(listing.id, seller.token, pngOfSize(MAX_IMAGE_BYTES + 1))
    expect(await json(declared)).toMatchObject({ status: 413, code: 'payload_too_large' })
    // Streamed with no Content-Length: counted as it arrives.
    const big = pngOfSize(MAX_IMAGE_BYTES + 1)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < big.length; at += 256 * 1024) controller.enqueue(big.slice(at, at + 256 * 1024))
        controller.close()
      },
    })
    expect(await json(await upload(listing.id, seller.token, stream))).toMatchObject({ status: 413, code: 'payload_too_large' })
    await unchanged(taken)
    // Every other route still stops at 64 KiB.
    const json64 = await call('/v1/listings', { method: 'POST', token: seller.token, headers: { 'content-type': 'application/json' }, body: `{"title":"${'x'.repeat(70_000)}"}` })
    expect(await json(json64)).toMatchObject({ status: 413, code: 'payload_too_large' })
  })

  it('refuses with 415 what is no allowed image, or not the declared one, and stores nothing', async () => {
    const seller = await register('photo-415')
    const listing = await listFixed(seller.token)
    const refused = async (bytes: Uint8Array, type: string | undefined, code: string) => {
      const res = await call(`/v1/listings/${listing.id}/images`, { method: 'POST', token: seller.token, headers: type ? { 'content-type': type } : {}, body: bytes })
      expect(await json(res), `${type}`).toMatchObject({ status: 415, code })
    }
    await refused(new TextEncoder().encode('GIF89a....'), 'image/png', 'unsupported_image_type')
    await refused(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml', 'unsupported_image_type')
    await refused(PNG_1X1, 'image/gif', 'unsupported_image_type')
    await refused(PNG_1X1, 'application/octet-stream', 'unsupported_image_type')
    await refused(PNG_1X1, 'application/json', 'unsupported_image_type')
    await refused(new Uint8Array(0), 'image/png', 'unsupported_image_type')
    await refused(PNG_1X1, 'image/jpeg', 'image_type_mismatch')
    await refused(JPEG_40X30, 'image/webp', 'image_type_mismatch')
    await unchanged(listing)
  })

  it('lets only the seller add or remove photos: 401 without a credential, 403 for anyone else, 404 for no such listing', async () => {
    const seller = await register('photo-owner')
    const stranger = await register('photo-stranger')
    const listing = await listFixed(seller.token)
    expect(await json(await upload(listing.id, undefined, PNG_1X1))).toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(await json(await upload(listing.id, stranger.token, PNG_1X1))).toMatchObject({ status: 403, code: 'forbidden' })
    const readOnly = await json<{ key: string }>(await call('/v1/api-keys', { method: 'POST', token: seller.token, json: { name: 'ro', scopes: ['account:read'] } }))
    expect(await json(await upload(listing.id, readOnly.key, PNG_1X1))).toMatchObject({ status: 403 })
    await unchanged(listing)

    const image = await json<Uploaded>(await upload(listing.id, seller.token, PNG_1X1))
    const withOne = await listingOf(listing.id)
    expect(await json(await call(`/v1/listings/${listing.id}/images/${image.id}`, { method: 'DELETE', token: stranger.token }))).toMatchObject({ status: 403 })
    expect((await call(`/v1/listings/${listing.id}/images/${image.id}`, { method: 'DELETE' })).status).toBe(401)
    await unchanged(withOne)
    expect((await call(image.url)).status).toBe(200)

    const nowhere = 'lst_00000000000000000000000000'
    expect(await json(await upload(nowhere, seller.token, PNG_1X1))).toMatchObject({ status: 404, code: 'not_found' })
    expect(await r2Keys(nowhere)).toEqual([])
    expect(await json(await upload('not-an-id', seller.token, PNG_1X1))).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(await json(await call(`/v1/listings/${listing.id}/images/nope`, { method: 'DELETE', token: seller.token }))).toMatchObject({ status: 400 })
  })

  it('holds ten photos; the eleventh is 409 image_limit and stores nothing', async () => {
    const seller = await register('photo-cap')
    const listing = await listFixed(seller.token)
    for (let i = 0; i < 10; i++) expect((await upload(listing.id, seller.token, PNG_1X1)).status).toBe(201)
    const full = await listingOf(listing.id)
    expect(full.images).toHaveLength(10)
    expect(await json(await upload(listing.id, seller.token, PNG_1X1))).toMatchObject({ status: 409, code: 'image_limit', limit: 10 })
    await unchanged(full)
    // Racing uploads into the last place: one wins, the other's bytes are not kept.
    await call(`/v1/listings/${listing.id}/images/${full.images[0]!.id}`, { method: 'DELETE', token: seller.token })
    const raced = await Promise.all([upload(listing.id, seller.token, PNG_1X1), upload(listing.id, seller.token, PNG_1X1)])
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409])
    const after = await listingOf(listing.id)
    expect(after.images).toHaveLength(10)
    expect((await r2Keys(listing.id)).sort()).toEqual(after.images.map((i) => i.url.replace('/images/', '')).sort())
  })

  it('refuses photos on a withdrawn listing with 409 listing_closed', async () => {
    const seller = await register('photo-closed')
    const listing = await listFixed(seller.token)
    expect((await call(`/v1/listings/${listing.id}`, { method: 'DELETE', token: seller.token })).status).toBe(204)
    const withdrawn = await listingOf(listing.id)
    expect(await json(await upload(listing.id, seller.token, PNG_1X1))).toMatchObject({ status: 409, code: 'listing_closed' })
    await unchanged(withdrawn)
  })

  it('deletes the stored bytes when the listing refuses the photo after it was asked (it closed meanwhile)', async () => {
    const seller = await register('photo-late')
    const res = await call('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Pocket watch', category: 'watches', format: 'auction', auction: { startingBid: { amount: 1000, currency: 'USD' }, endsAt: new Date(Date.now() + 3_600_000).toISOString() } } })
    const auction = await json<Listing>(res)
    // The object's clock: now when the route asks, past the auction's end when the photo arrives.
    await runInDurableObject(listingStub(env, auction.id), (o: ListingObject) => {
      let asked = false
      o.now = () => (asked ? new Date(Date.now() + 2 * 3_600_000) : ((asked = true), new Date()))
    })
    expect(await json(await upload(auction.id, seller.token, PNG_1X1))).toMatchObject({ status: 409, code: 'listing_closed' })
    expect(await r2Keys(auction.id)).toEqual([])
    const after = await listingOf(auction.id)
    expect([after.version, after.images]).toEqual([auction.version, []])
  })

  it('replays an upload sent again with its Idempotency-Key: one photo, the same answer', async () => {
    const seller = await register('photo-idem')
    const listing = await listFixed(seller.token)
    const first = await upload(listing.id, seller.token, PNG_1X1, 'image/png', { 'idempotency-key': 'photo-1' })
    const second = await upload(listing.id, seller.token, PNG_1X1, 'image/png', { 'idempotency-key': 'photo-1' })
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(await json(second)).toEqual(await json(first))
    expect((await listingOf(listing.id)).images).toHaveLength(1)
    expect(await json(await upload(listing.id, seller.token, JPEG_40X30, 'image/jpeg', { 'idempotency-key': 'photo-1' }))).toMatchObject({ status: 422, code: 'idempotency_key_reused' })
  })

  it('answers 404 for an image that is not there, without caching it for long', async () => {
    for (const path of ['/images/listings/lst_00000000000000000000000000/img_00000000000000000000000000', '/images/listings/x/y', '/images/other']) {
      const res = await call(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('cache-control') ?? '').not.toContain('immutable')
      await res.arrayBuffer()
    }
  })
})
