import { money, type Currency, type Money } from '../core/money'
import { bidFloor, buyNowAvailable, minimumBid, reserveMet } from './auction'
import { imagesOf, imageUrl } from './listing-images'
import { availableQuantity, listingStatus, sellerFrozen, type ListingFormat, type ListingState, type ListingStatus, type Offer } from './listing-state'

/**
 * The listing as anyone may see it (the `Listing` schema of the API reference at /docs). Never the reserve, the
 * maximums, who leads, or who holds stock: only what a stranger may know.
 */
export type ListingView = {
  id: string
  sellerId: string
  title: string
  description: string
  category: string
  format: ListingFormat
  status: ListingStatus
  version: number
  currency: Currency
  price?: Money
  quantity?: number
  available?: number
  currentPrice?: Money
  bidCount?: number
  reserveMet?: boolean
  buyNowPrice?: Money
  minimumBid?: Money
  endsAt?: string
  acceptsOffers: boolean
  /** True while the seller is frozen (seller-standing.ts); absent otherwise. */
  suspended?: boolean
  images: ListingImageView[]
  createdAt: string
  updatedAt: string
}

/** A photo as anyone sees it: where it is served, and its size when its header states it. */
export type ListingImageView = { id: string; url: string; width?: number; height?: number }

/**
 * A snapshot as stored before listings had photos (an old event, a read-model row written before)
 * reads with none.
 */
export const withImages = <V extends Omit<ListingView, 'images'>>(v: V): V & Pick<ListingView, 'images'> => ({ ...v, images: (v as Partial<ListingView>).images ?? [] })

export function listingView(s: ListingState, now: Date): ListingView {
  const status = listingStatus(s, now)
  const suspended = sellerFrozen(s)
  // What a buyer could do now (Buy It Now, the next bid) is not offered while the listing is suspended.
  const open = status === 'active' && !suspended
  const view: ListingView = {
    id: s.id,
    sellerId: s.sellerId,
    title: s.title,
    description: s.description,
    category: s.category,
    format: s.format,
    status,
    version: s.version,
    currency: s.currency,
    acceptsOffers: s.acceptsOffers,
    ...(suspended ? { suspended: true } : {}),
    images: imagesOf(s).map((i) => ({ id: i.id, url: imageUrl(s.id, i.id), ...(i.width !== null && i.height !== null ? { width: i.width, height: i.height } : {}) })),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }
  const a = s.auction
  if (!a) {
    return { ...view, price: money(s.price ?? 0, s.currency), quantity: s.quantity, available: availableQuantity(s) }
  }
  return {
    ...view,
    currentPrice: money(a.currentPrice, s.currency),
    bidCount: a.bidCount,
    ...(a.reservePrice !== null ? { reserveMet: reserveMet(a) } : {}),
    ...(a.buyNowPrice !== null && buyNowAvailable(a) && open ? { buyNowPrice: money(a.buyNowPrice, s.currency) } : {}),
    ...(open ? { minimumBid: money(minimumBid(a), s.currency) } : {}),
    endsAt: a.endsAt,
  }
}

/** What an edge may remember to refuse hopeless bids unasked (see `bidFloor`). */
export function bidFloorOf(s: ListingState): Money | undefined {
  return s.auction ? money(bidFloor(s.auction), s.currency) : undefined
}

/** An offer as its two parties see it (nobody else may). */
export type OfferView = {
  id: string
  listingId: string
  buyerId: string
  sellerId: string
  from: 'buyer' | 'seller'
  amount: Money
  quantity: number
  status: Offer['status']
  counters: string | null
  createdAt: string
  expiresAt: string
  /** While accepted: the reservation the buyer checks out against. */
  reservation?: { id: string; expiresAt: string }
}

export function offerView(s: ListingState, o: Offer): OfferView {
  const held = s.reservations.find((r) => r.id === o.id)
  return {
    id: o.id,
    listingId: s.id,
    buyerId: o.buyerId,
    sellerId: s.sellerId,
    from: o.from,
    amount: money(o.unitAmount, s.currency),
    quantity: o.quantity,
    status: o.status,
    counters: o.counters,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
    ...(held ? { reservation: { id: held.id, expiresAt: held.expiresAt } } : {}),
  }
}

/** One line of a bid history: who (by their pseudonym on this listing), the price after, when. */
export type BidHistoryEntry = { bidId: string; bidder: string; price: Money; at: string; mine: boolean }

/**
 * The offers on a listing a viewer may see, newest first (ids sort by creation), before the id
 * `before`, at most `limit`: every offer for the seller, a buyer's own for anyone else.
 * `archived` are the offers already over, filtered and ordered the same way.
 */
export function visibleOffers(s: ListingState, archived: Offer[], viewerId: string, before: string | null, limit: number): OfferView[] {
  const live = s.offers.filter((o) => (viewerId === s.sellerId || o.buyerId === viewerId) && (before === null || o.id < before))
  return [...live, ...archived]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit)
    .map((o) => offerView(s, o))
}
