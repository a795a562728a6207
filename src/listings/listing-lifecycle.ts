import { reject } from '../core/decision'
import type { Money } from '../core/money'
import { accepted, type ListingDecision } from './listing-decision'
import { closeOffers } from './offers'
import { listingStatus, reservedQuantity, type AuctionState, type ListingRules, type ListingState } from './listing-state'

/** Creating, editing and withdrawing a listing: the seller's side of its life. Pure. */
export type CreateListing = Pick<ListingState, 'id' | 'sellerId' | 'title' | 'description' | 'category' | 'format' | 'currency' | 'acceptsOffers'> & {
  fixed?: { price: number; quantity: number }
  auction?: Pick<AuctionState, 'startingBid' | 'reservePrice' | 'buyNowPrice' | 'endsAt'>
}

export type CreateRejection =
  | { code: 'invalid_listing'; reason: string }
  | { code: 'ends_too_soon'; earliest: string }
  | { code: 'ends_too_late'; latest: string }

export function createListing(cmd: CreateListing, now: Date, rules: Pick<ListingRules, 'minAuctionMs' | 'maxAuctionMs'>): ListingDecision<CreateRejection> {
  const at = now.toISOString()
  const base = {
    id: cmd.id,
    sellerId: cmd.sellerId,
    title: cmd.title,
    description: cmd.description,
    category: cmd.category,
    format: cmd.format,
    currency: cmd.currency,
    reservations: [],
    auction: null,
    offers: [],
    withdrawn: false,
    sold: 0,
    createdAt: at,
    updatedAt: at,
    version: 0,
  }
  const created = { type: 'listing.created' as const, data: {}, private: {} }
  if (cmd.format === 'fixed_price') {
    if (!cmd.fixed || cmd.auction) return reject({ code: 'invalid_listing', reason: 'a fixed-price listing has a price and quantity, and no auction' })
    return accepted({ ...base, price: cmd.fixed.price, quantity: cmd.fixed.quantity, acceptsOffers: cmd.acceptsOffers }, [created])
  }
  const a = cmd.auction
  if (!a || cmd.fixed) return reject({ code: 'invalid_listing', reason: 'an auction has auction terms, and no price or quantity' })
  if (cmd.acceptsOffers) return reject({ code: 'invalid_listing', reason: 'auctions do not take offers' })
  if (a.reservePrice !== null && a.reservePrice < a.startingBid) return reject({ code: 'invalid_listing', reason: 'the reserve is below the starting bid' })
  if (a.buyNowPrice !== null && (a.buyNowPrice <= a.startingBid || a.buyNowPrice < (a.reservePrice ?? 0))) {
    return reject({ code: 'invalid_listing', reason: 'Buy It Now must be above the starting bid and not below the reserve' })
  }
  const ends = Date.parse(a.endsAt)
  if (ends < now.getTime() + rules.minAuctionMs) return reject({ code: 'ends_too_soon', earliest: new Date(now.getTime() + rules.minAuctionMs).toISOString() })
  if (ends > now.getTime() + rules.maxAuctionMs) return reject({ code: 'ends_too_late', latest: new Date(now.getTime() + rules.maxAuctionMs).toISOString() })
  const auction = {
    startingBid: a.startingBid,
    reservePrice: a.reservePrice,
    buyNowPrice: a.buyNowPrice,
    endsAt: new Date(ends).toISOString(),
    currentPrice: a.startingBid,
    bidCount: 0,
    leader: null,
    runnerUp: null,
    bidOrder: 0,
    outcome: null,
  }
  return accepted({ ...base, price: null, quantity: 1, acceptsOffers: false, auction }, [created])
}

export type UpdateListing = {
  actorId: string
  /** The version the seller saw (If-Match); undefined for `If-Match: *`. */
  expectedVersion: number | undefined
  title?: string
  description?: string
  price?: Money
  quantity?: number
}

export type UpdateRejection =
  | { code: 'not_seller' }
  | { code: 'version_conflict'; version: number }
  | { code: 'listing_closed' }
  | { code: 'not_editable'; field: string }
  | { code: 'currency_mismatch' }
  | { code: 'quantity_below_committed'; minimum: number }

/** The seller edits what buyers have not yet relied on: never below the units sold and held. */
export function updateListing(s: ListingState, cmd: UpdateListing, now: Date): ListingDecision<UpdateRejection> {
  if (cmd.actorId !== s.sellerId) return reject({ code: 'not_seller' })
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== s.version) return reject({ code: 'version_conflict', version: s.version })
  if (listingStatus(s, now) !== 'active') return reject({ code: 'listing_closed' })
  if (s.auction && cmd.price !== undefined) return reject({ code: 'not_editable', field: 'price' })
  if (s.auction && cmd.quantity !== undefined) return reject({ code: 'not_editable', field: 'quantity' })
  if (cmd.price && cmd.price.currency !== s.currency) return reject({ code: 'currency_mismatch' })
  const committed = s.sold + reservedQuantity(s)
  if (cmd.quantity !== undefined && cmd.quantity < Math.max(committed, 1)) return reject({ code: 'quantity_below_committed', minimum: Math.max(committed, 1) })
  const changes = { title: cmd.title, description: cmd.description, price: cmd.price?.amount, quantity: cmd.quantity }
  const changed = Object.entries(changes).filter(([k, v]) => v !== undefined && v !== s[k as keyof typeof changes]).map(([k]) => k)
  if (changed.length === 0) return accepted(s, [])
  const updated = {
    ...s,
    title: cmd.title ?? s.title,
    description: cmd.description ?? s.description,
    price: cmd.price?.amount ?? s.price,
    quantity: cmd.quantity ?? s.quantity,
    updatedAt: now.toISOString(),
  }
  // A buyer's offer at or above a lowered price is moot: they can now buy for less.
  const newPrice = cmd.price?.amount
  const moot = closeOffers(updated, (o) => newPrice !== undefined && o.from === 'buyer' && o.unitAmount >= newPrice, 'declined', 'price_lowered', now)
  return accepted(moot.state, [{ type: 'listing.updated', data: { changed }, private: {} }, ...moot.events])
}

export type WithdrawRejection = { code: 'not_seller' } | { code: 'listing_reserved' } | { code: 'has_bids' } | { code: 'listing_closed' }

/** The seller takes the listing down: not while stock is held for a buyer, nor once bidding began. */
export function withdrawListing(s: ListingState, actorId: string, now: Date): ListingDecision<WithdrawRejection> {
  if (actorId !== s.sellerId) return reject({ code: 'not_seller' })
  if (s.withdrawn) return accepted(s, [])
  if (s.reservations.length > 0) return reject({ code: 'listing_reserved' })
  if (s.auction && s.auction.bidCount > 0) return reject({ code: 'has_bids' })
  if (listingStatus(s, now) !== 'active') return reject({ code: 'listing_closed' })
  const declined = closeOffers(s, () => true, 'declined', 'withdrawn', now)
  return accepted({ ...declined.state, withdrawn: true, updatedAt: now.toISOString() }, [
    ...declined.events,
    { type: 'listing.withdrawn', data: {}, private: {} },
  ])
}
