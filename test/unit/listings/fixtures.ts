import type { Currency, Money } from '../../../src/core/money'
import type { PlaceBid } from '../../../src/listings/auction'
import type { ListingAccepted, ListingDecision } from '../../../src/listings/listing-decision'
import type { ListingEvent } from '../../../src/events/contract/listing-events'
import { createListing, type CreateListing } from '../../../src/listings/listing-lifecycle'
import type { ListingRules, ListingState } from '../../../src/listings/listing-state'

/** Fixed clock and rules for the pure listing core: every test passes `now` explicitly. */
export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export const T0 = new Date('2030-03-01T12:00:00.000Z')
/** T0 plus `ms`. */
export const at = (ms: number): Date => new Date(T0.getTime() + ms)
export const iso = (ms: number): string => at(ms).toISOString()

export const RULES: ListingRules = {
  softCloseMs: 2 * MINUTE,
  minAuctionMs: MINUTE,
  maxAuctionMs: 30 * DAY,
  offerTtlMs: 48 * HOUR,
  offerCheckoutMs: 24 * HOUR,
  auctionPaymentMs: 48 * HOUR,
}

export const SELLER = 'usr_seller'
export const LISTING_ID = 'lst_fixture'

export const usd = (amount: number): Money => ({ amount, currency: 'USD' })
export const eur = (amount: number): Money => ({ amount, currency: 'EUR' })

/** The accepted decision, or a failure that names the rejection. */
export function accepted<R>(d: ListingDecision<R>): ListingAccepted {
  if (!d.ok) throw new Error(`expected the command to be accepted, got ${JSON.stringify(d.rejection)}`)
  return d
}

/** The rejection, or a failure that names the events the command produced instead. */
export function refused<R>(d: ListingDecision<R>): R {
  if (d.ok) throw new Error(`expected a rejection, got events ${JSON.stringify(d.events.map((e) => e.type))}`)
  return d.rejection
}

export const types = (events: ListingEvent[]): string[] => events.map((e) => e.type)

/** The events of one type, narrowed. */
export function eventsOf<T extends ListingEvent['type']>(events: ListingEvent[], type: T): Extract<ListingEvent, { type: T }>[] {
  return events.filter((e): e is Extract<ListingEvent, { type: T }> => e.type === type)
}

export type AuctionTerms = NonNullable<CreateListing['auction']>

/** An auction created at T0 through `createListing`, ending `endsInMs` later (30 minutes by default). */
export function openAuction(terms: Partial<AuctionTerms> = {}, endsInMs = 30 * MINUTE, currency: Currency = 'USD'): ListingState {
  return accepted(
    createListing(
      {
        id: LISTING_ID,
        sellerId: SELLER,
        title: 'Brass lamp',
        description: 'A working 1920s brass lamp',
        category: 'home',
        format: 'auction',
        currency,
        acceptsOffers: false,
        auction: { startingBid: 1_000, reservePrice: null, buyNowPrice: null, endsAt: iso(endsInMs), ...terms },
      },
      T0,
      RULES,
    ),
  ).state
}

/** A fixed-price listing created at T0 through `createListing`: $50.00, one unit, offers welcome. */
export function openFixed(terms: { price?: number; quantity?: number; acceptsOffers?: boolean } = {}): ListingState {
  return accepted(
    createListing(
      {
        id: LISTING_ID,
        sellerId: SELLER,
        title: 'Hand-thrown mug',
        description: 'Stoneware, dishwasher safe',
        category: 'kitchen',
        format: 'fixed_price',
        currency: 'USD',
        acceptsOffers: terms.acceptsOffers ?? true,
        fixed: { price: terms.price ?? 5_000, quantity: terms.quantity ?? 1 },
      },
      T0,
      RULES,
    ),
  ).state
}

let bidSeq = 0
/** A bid command; the alias is deliberately unlike the user id so leaks are easy to spot. */
export function bid(bidderId: string, maxAmount: number | Money): PlaceBid {
  bidSeq += 1
  return {
    bidId: `bid_${bidSeq}`,
    bidderId,
    bidderAlias: `alias-${bidderId.replace(/^usr_/, '')}`,
    maxAmount: typeof maxAmount === 'number' ? usd(maxAmount) : maxAmount,
  }
}
