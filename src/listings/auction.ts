import { reject } from '../core/decision'
import { money, type Money } from '../core/money'
import { bidIncrement } from './increments'
import { accepted, type ListingAccepted, type ListingDecision } from './listing-decision'
import type { ListingEvent } from '../events/contract/listing-events'
import { sellerFrozen, type AuctionState, type ListingRules, type ListingState, type StandingBid } from './listing-state'

/**
 * eBay's proxy bidding, with a soft close. A bid is a maximum; the price is one increment over
 * the best other maximum, capped at the leader's own; equal maximums go to the earlier one; a
 * leader whose maximum reaches the secret reserve lifts the price to the reserve at once. Pure.
 */
export type PlaceBid = {
  bidId: string
  bidderId: string
  /** The bidder's public pseudonym on this listing (the core never sees the key behind it). */
  bidderAlias: string
  maxAmount: Money
}

export type BidRejection =
  | { code: 'not_an_auction' }
  | { code: 'listing_withdrawn' }
  | { code: 'auction_ended' }
  | { code: 'own_listing' }
  | { code: 'currency_mismatch' }
  /** The seller's account is frozen (seller-standing.ts). */
  | { code: 'seller_frozen' }
  /** `minimum` is this bidder's; `floor` and `newBidderMinimum` are public, for the edge's memory. */
  | { code: 'bid_too_low'; minimum: Money; floor: Money; newBidderMinimum: Money }

/** The lowest maximum a bidder other than the leader may place. */
export function minimumBid(a: AuctionState): number {
  return a.leader ? a.currentPrice + bidIncrement(a.currentPrice) : a.startingBid
}

/**
 * The lowest amount any bid at all could be, the leader's raises included: every valid bid is at
 * least this. Prices only rise, so an edge that has seen it may refuse anything lower unasked.
 */
export function bidFloor(a: AuctionState): number {
  return a.leader ? a.currentPrice + 1 : a.startingBid
}

export const reserveMet = (a: AuctionState): boolean => a.reservePrice !== null && a.leader !== null && a.leader.maxAmount >= a.reservePrice

/** Buy It Now disappears at the first bid, or once the reserve is met where there is one. */
export function buyNowAvailable(a: AuctionState): boolean {
  if (a.buyNowPrice === null || a.outcome !== null) return false
  return a.reservePrice === null ? a.bidCount === 0 : !reserveMet(a)
}

/** The price the rules give for these two best maximums. */
export function proxyPrice(a: Pick<AuctionState, 'startingBid' | 'reservePrice'>, leader: StandingBid, runnerUp: StandingBid | null): number {
  const competitive = runnerUp ? Math.min(leader.maxAmount, runnerUp.maxAmount + bidIncrement(runnerUp.maxAmount)) : a.startingBid
  const price = Math.max(competitive, a.startingBid)
  return a.reservePrice !== null && leader.maxAmount >= a.reservePrice ? Math.max(price, a.reservePrice) : price
}

/** Orders maximums: higher first, and the earlier of two equal ones first. */
const ahead = (x: StandingBid, y: StandingBid): boolean => x.maxAmount > y.maxAmount || (x.maxAmount === y.maxAmount && x.order < y.order)

export function placeBid(s: ListingState, cmd: PlaceBid, now: Date, rules: Pick<ListingRules, 'softCloseMs'>): ListingDecision<BidRejection> {
  const a = s.auction
  if (!a) return reject({ code: 'not_an_auction' })
  if (s.withdrawn) return reject({ code: 'listing_withdrawn' })
  if (a.outcome !== null || now.getTime() >= Date.parse(a.endsAt)) return reject({ code: 'auction_ended' })
  if (sellerFrozen(s)) return reject({ code: 'seller_frozen' })
  if (cmd.bidderId === s.sellerId) return reject({ code: 'own_listing' })
  if (cmd.maxAmount.currency !== s.currency) return reject({ code: 'currency_mismatch' })

  const amount = cmd.maxAmount.amount
  const isLeader = a.leader?.bidderId === cmd.bidderId
  const minimum = isLeader && a.leader ? a.leader.maxAmount + 1 : minimumBid(a)
  if (amount < minimum) {
    return reject({
      code: 'bid_too_low',
      minimum: money(minimum, s.currency),
      floor: money(bidFloor(a), s.currency),
      newBidderMinimum: money(minimumBid(a), s.currency),
    })
  }

  const order = a.bidOrder + 1
  const bid: StandingBid = { bidderId: cmd.bidderId, maxAmount: amount, order }
  // The best two distinct bidders after this bid (a bidder's new maximum replaces their old one).
  const others = [a.leader, a.runnerUp].filter((b): b is StandingBid => b !== null && b.bidderId !== cmd.bidderId)
  const [leader, runnerUp = null] = [bid, ...others].sort((x, y) => (ahead(x, y) ? -1 : 1)) as [StandingBid, ...StandingBid[]]
  const currentPrice = proxyPrice(a, leader, runnerUp)
  if (currentPrice < a.currentPrice) throw new Error('proxy bidding lowered the price') // an invariant, not a business outcome

  const leaderChanged = a.leader?.bidderId !== leader.bidderId
  // Only a bid that moves the price or the lead extends the end: a leader quietly raising their own
  // maximum changes nothing a rival could answer, and must not keep the auction open forever.
  const contested = leaderChanged || currentPrice > a.currentPrice
  const endsAt = contested ? softClose(a.endsAt, now, rules.softCloseMs) : a.endsAt
  const auction: AuctionState = { ...a, leader, runnerUp, currentPrice, bidCount: a.bidCount + 1, bidOrder: order, endsAt }
  const outbidIds = leaderChanged ? (a.leader ? [a.leader.bidderId] : []) : isLeader ? [] : [cmd.bidderId]
  const events: ListingEvent[] = [
    {
      type: 'bid.placed',
      data: { bidId: cmd.bidId, bidder: cmd.bidderAlias, currentPrice: money(currentPrice, s.currency), bidCount: auction.bidCount, leaderChanged, endsAt },
      private: { bidderId: cmd.bidderId, maxAmount: cmd.maxAmount, leaderId: leader.bidderId, outbidIds },
    },
  ]
  if (endsAt !== a.endsAt) events.push({ type: 'auction.extended', data: { endsAt, previousEndsAt: a.endsAt }, private: {} })
  return accepted({ ...s, auction, updatedAt: now.toISOString() }, events)
}

/** Soft close: a bid in the last `softCloseMs` moves the end to now + `softCloseMs`. */
export function softClose(endsAt: string, now: Date, softCloseMs: number): string {
  const extended = now.getTime() + softCloseMs
  return extended > Date.parse(endsAt) ? new Date(extended).toISOString() : endsAt
}

/**
 * Ends an auction whose time has come: no sale without bids or below the reserve, nor while the
 * seller's account is frozen (`cancelled`: no winner, no hold, no order); otherwise the leader wins
 * at the current price and gets the item reserved until payment is due.
 */
export function endAuction(s: ListingState, now: Date, rules: Pick<ListingRules, 'auctionPaymentMs'>): ListingAccepted {
  const a = s.auction
  if (!a || a.outcome !== null || s.withdrawn || now.getTime() < Date.parse(a.endsAt)) return accepted(s, [])
  const at = now.toISOString()
  const bidCount = a.bidCount
  if (sellerFrozen(s)) {
    return accepted({ ...s, auction: { ...a, outcome: 'cancelled' }, updatedAt: at }, [
      { type: 'auction.ended', data: { outcome: 'cancelled', finalPrice: null, bidCount }, private: { winnerId: null } },
    ])
  }
  if (!a.leader || (a.reservePrice !== null && !reserveMet(a))) {
    const outcome = a.leader ? 'reserve_not_met' : 'no_bids'
    return accepted({ ...s, auction: { ...a, outcome }, updatedAt: at }, [
      { type: 'auction.ended', data: { outcome, finalPrice: null, bidCount }, private: { winnerId: null } },
    ])
  }
  const winnerId = a.leader.bidderId
  const price = money(a.currentPrice, s.currency)
  const paymentDueAt = new Date(now.getTime() + rules.auctionPaymentMs).toISOString()
  const reservation = { id: s.id, holderId: winnerId, quantity: 1, unitPrice: a.currentPrice, expiresAt: paymentDueAt, source: 'auction' as const, orderBound: false }
  return accepted({ ...s, auction: { ...a, outcome: 'sold' }, reservations: [...s.reservations, reservation], updatedAt: at }, [
    { type: 'auction.ended', data: { outcome: 'sold', finalPrice: price, bidCount }, private: { winnerId } },
    { type: 'auction.won', data: { price, paymentDueAt }, private: { winnerId, reservationId: s.id } },
    {
      type: 'stock.reserved',
      data: { quantity: 1, available: 0, expiresAt: paymentDueAt },
      private: { reservationId: s.id, holderId: winnerId, source: 'auction', unitPrice: price },
    },
  ])
}
