import type { Currency } from '../core/money'

/**
 * Everything the ListingObject knows about one listing, as plain data. Times are ISO 8601 UTC
 * strings; amounts are minor units in the listing's currency. Private fields (the reserve, who
 * bid what, who holds stock) never leave through the public view or the live channel.
 */
export type ListingFormat = 'fixed_price' | 'auction'
export type ListingStatus = 'active' | 'ended' | 'sold_out' | 'withdrawn'

/** A bidder's standing maximum; `order` breaks ties (the earlier maximum wins). */
export type StandingBid = { bidderId: string; maxAmount: number; order: number }

/** `cancelled`: it reached its end while its seller's account was frozen, so nobody won (seller-standing.ts). */
export type AuctionOutcome = 'sold' | 'no_bids' | 'reserve_not_met' | 'bought_now' | 'cancelled'

export type AuctionState = {
  startingBid: number
  reservePrice: number | null
  buyNowPrice: number | null
  endsAt: string
  currentPrice: number
  bidCount: number
  /** The highest maximum and the best other bidder's: all proxy bidding needs. */
  leader: StandingBid | null
  runnerUp: StandingBid | null
  /** Counts accepted bids, for tie-breaking by order. */
  bidOrder: number
  /** Set when the auction is over (time ran out, or Buy It Now). */
  outcome: AuctionOutcome | null
}

export type ReservationSource = 'checkout' | 'offer' | 'auction' | 'buy_now'

/**
 * Stock held for one buyer until their checkout commits or releases it. An order-bound
 * reservation's id is its order's: when it lapses, the object asks the order's fate before
 * releasing (a paid order commits). An unbound hold (an accepted offer, a won auction not yet
 * checked out) simply lapses.
 */
export type Reservation = {
  id: string
  holderId: string
  quantity: number
  unitPrice: number
  expiresAt: string
  source: ReservationSource
  orderBound: boolean
}

export type OfferStatus = 'pending' | 'accepted' | 'declined' | 'countered' | 'expired' | 'superseded'

/** An offer from the buyer, or a counter-offer from either side; one thread per buyer. */
export type Offer = {
  id: string
  buyerId: string
  /** Who made this offer, and so who must answer it. */
  from: 'buyer' | 'seller'
  unitAmount: number
  quantity: number
  status: OfferStatus
  createdAt: string
  expiresAt: string
  /** The offer this one counters, if it is a counter-offer. */
  counters: string | null
}

/**
 * The seller's account standing as this listing last heard it: `frozen` while staff have frozen
 * the account, and the account's standing `seq` (how many times it was frozen or unfrozen), so an
 * older word never overrides a newer one whatever order they arrive in.
 */
export type SellerStanding = { frozen: boolean; seq: number }

/** A photo of the listing, stored in object storage under `listings/<listing id>/<id>` (listing-images.ts). */
export type ListingImage = {
  id: string
  contentType: 'image/jpeg' | 'image/png' | 'image/webp'
  bytes: number
  /** From the image's header, when it states them. */
  width: number | null
  height: number | null
  addedAt: string
}

export type ListingState = {
  id: string
  sellerId: string
  title: string
  description: string
  category: string
  format: ListingFormat
  currency: Currency
  /** Fixed price per unit; null for auctions. */
  price: number | null
  quantity: number
  sold: number
  /** Live reservations; how finished ones ended is the store's record (see stock.ts `prior`). */
  reservations: Reservation[]
  auction: AuctionState | null
  acceptsOffers: boolean
  offers: Offer[]
  withdrawn: boolean
  /** The photos, in the order they were added; absent in state stored before photos existed. */
  images?: ListingImage[]
  /** Absent until the seller is first frozen: a listing starts out in good standing (seq 0). */
  sellerStanding?: SellerStanding
  createdAt: string
  updatedAt: string
  /** The seq of the last event: the listing's version and strong ETag. */
  version: number
}

/** Deployment rules the core applies (from settings), passed in as values. */
export type ListingRules = {
  softCloseMs: number
  minAuctionMs: number
  maxAuctionMs: number
  offerTtlMs: number
  offerCheckoutMs: number
  auctionPaymentMs: number
}

export const reservedQuantity = (s: ListingState): number => s.reservations.reduce((n, r) => n + r.quantity, 0)

/** Units a buyer can still take: never negative, whatever the history. */
export const availableQuantity = (s: ListingState): number => Math.max(0, s.quantity - s.sold - reservedQuantity(s))

/** The listing is suspended: its seller is frozen, so nobody may buy, bid or make an offer, and search hides it. */
export const sellerFrozen = (s: Pick<ListingState, 'sellerStanding'>): boolean => s.sellerStanding?.frozen === true

export function listingStatus(s: ListingState, now: Date): ListingStatus {
  if (s.withdrawn) return 'withdrawn'
  if (s.sold >= s.quantity) return 'sold_out'
  if (s.auction && (s.auction.outcome !== null || now.getTime() >= Date.parse(s.auction.endsAt))) return 'ended'
  return 'active'
}
