import type { Money } from '../core/money'
import type { AuctionOutcome, ReservationSource } from './listing-state'

/**
 * What a listing says happened, as the core decides it. The object stamps each with an id, the
 * listing's next `seq`, the time, and the public snapshot of the listing after it (`listing`).
 * `data` is public: it goes to watchers on the live channel. `private` (who bid, who holds
 * stock, maximums) goes only to Souk's own consumers through the events queue.
 */
type Event<T extends string, D, P = Record<string, never>> = { type: T; data: D; private: P }

export type OfferDeclineReason = 'declined' | 'countered' | 'superseded' | 'stock_taken' | 'withdrawn' | 'price_lowered'
export type ReleaseReason = 'released' | 'expired'

export type ListingEvent =
  | Event<'listing.created', Record<string, never>>
  | Event<'listing.updated', { changed: string[] }>
  | Event<'listing.withdrawn', Record<string, never>>
  | Event<'listing.sold_out', Record<string, never>>
  | Event<
      'bid.placed',
      { bidId: string; bidder: string; currentPrice: Money; bidCount: number; leaderChanged: boolean; endsAt: string },
      { bidderId: string; maxAmount: Money; leaderId: string; outbidIds: string[] }
    >
  | Event<'auction.extended', { endsAt: string; previousEndsAt: string }>
  | Event<'auction.resumed', { endsAt: string }>
  | Event<'auction.ended', { outcome: AuctionOutcome; finalPrice: Money | null; bidCount: number }, { winnerId: string | null }>
  | Event<'auction.won', { price: Money; paymentDueAt: string }, { winnerId: string; reservationId: string }>
  | Event<
      'stock.reserved',
      { quantity: number; available: number; expiresAt: string },
      { reservationId: string; holderId: string; source: ReservationSource; unitPrice: Money }
    >
  | Event<'stock.released', { quantity: number; available: number; reason: ReleaseReason }, { reservationId: string; holderId: string }>
  | Event<'stock.committed', { quantity: number; sold: number; available: number }, { reservationId: string; holderId: string; unitPrice: Money }>
  | Event<'offer.created', { offerId: string; from: 'buyer' | 'seller'; expiresAt: string }, { buyerId: string; unitAmount: Money; quantity: number; counters: string | null }>
  | Event<'offer.accepted', { offerId: string }, { buyerId: string; reservationId: string; unitAmount: Money; quantity: number }>
  | Event<'offer.declined', { offerId: string; reason: OfferDeclineReason }, { buyerId: string }>
  | Event<'offer.expired', { offerId: string }, { buyerId: string }>

export type ListingEventType = ListingEvent['type']

/** A reservation that ended, for the store's record of settled ids (commit/release idempotency). */
export type Settlement = { reservationId: string; outcome: 'committed' | 'released' }

export const noPrivate = {} as Record<string, never>
