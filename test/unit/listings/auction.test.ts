import { describe, expect, it } from 'vitest'
import { bidFloor, buyNowAvailable, endAuction, minimumBid, placeBid, proxyPrice, reserveMet, softClose } from '../../../src/listings/auction'
import type { ListingState } from '../../../src/listings/listing-state'
import { withdrawListing } from '../../../src/listings/listing-lifecycle'
import { accepted, at, bid, eur, eventsOf, HOUR, iso, MINUTE, openAuction, openFixed, refused, RULES, SELLER, types, usd } from './fixtures'

const A = 'usr_a'
const B = 'usr_b'
const C = 'usr_c'

/** Places bids in order at `now`, each of which must be accepted; returns the final state. */
function withBids(s: ListingState, bids: [string, number][], now = at(MINUTE)): ListingState {
  return bids.reduce((state, [who, amount]) => accepted(placeBid(state, bid(who, amount), now, RULES)).state, s)
}

const auctionOf = (s: ListingState) => {
  if (!s.auction) throw new Error('not an auction')
  return s.auction
}

describe('placeBid: who may bid, and how much', () => {
  it('takes a first bid at the starting bid and refuses one cent less, quoting the starting bid', () => {
    const s = openAuction({ startingBid: 1_000 })
    expect(refused(placeBid(s, bid(A, 999), at(MINUTE), RULES))).toEqual({ code: 'bid_too_low', minimum: usd(1_000), floor: usd(1_000), newBidderMinimum: usd(1_000) })
    const d = accepted(placeBid(s, bid(A, 1_000), at(MINUTE), RULES))
    expect(auctionOf(d.state)).toMatchObject({ currentPrice: 1_000, bidCount: 1, leader: { bidderId: A, maxAmount: 1_000 } })
  })

  it('makes a single bidder pay the starting bid, whatever their maximum', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 50_000]])
    expect(auctionOf(s).currentPrice).toBe(1_000)
  })

  it('asks a non-leader for the current price plus one increment', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 50_000]]) // price $10.00, increment $0.50
    expect(minimumBid(auctionOf(s))).toBe(1_050)
    expect(refused(placeBid(s, bid(B, 1_049), at(MINUTE), RULES))).toMatchObject({ code: 'bid_too_low', minimum: usd(1_050) })
    expect(accepted(placeBid(s, bid(B, 1_050), at(MINUTE), RULES)).state.auction?.bidCount).toBe(2)
  })

  it('prices a losing challenger one increment over their maximum, and tells them they were outbid', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 5_000]])
    const d = accepted(placeBid(s, bid(B, 3_000), at(MINUTE), RULES))
    expect(auctionOf(d.state)).toMatchObject({ currentPrice: 3_100, leader: { bidderId: A }, runnerUp: { bidderId: B, maxAmount: 3_000 } })
    const [placed] = eventsOf(d.events, 'bid.placed')
    expect(placed?.data).toMatchObject({ leaderChanged: false, currentPrice: usd(3_100), bidCount: 2 })
    expect(placed?.private).toEqual({ bidderId: B, maxAmount: usd(3_000), leaderId: A, outbidIds: [B] })
  })

  it('hands the lead to a higher maximum at one increment over the old leader, and names the old leader as outbid', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 2_000]])
    const d = accepted(placeBid(s, bid(B, 9_000), at(MINUTE), RULES))
    // $20.00 is in the $0.50 band: $20.50.
    expect(auctionOf(d.state)).toMatchObject({ currentPrice: 2_050, leader: { bidderId: B, maxAmount: 9_000 }, runnerUp: { bidderId: A } })
    const [placed] = eventsOf(d.events, 'bid.placed')
    expect(placed?.data.leaderChanged).toBe(true)
    expect(placed?.private).toEqual({ bidderId: B, maxAmount: usd(9_000), leaderId: B, outbidIds: [A] })
  })

  it('caps the price at the new leader’s own maximum', () => {
    const e = accepted(placeBid(withBids(openAuction({ startingBid: 1_000 }), [[A, 9_950]]), bid(B, 10_000), at(MINUTE), RULES))
    // One increment over $99.50 is $100.50, but B only offered $100.00.
    expect(auctionOf(e.state)).toMatchObject({ currentPrice: 10_000, leader: { bidderId: B } })
  })

  it('gives an equal maximum to the earlier bidder, at that maximum', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 2_000], [B, 1_500]]) // price 1_550
    const d = accepted(placeBid(s, bid(C, 2_000), at(MINUTE), RULES))
    expect(auctionOf(d.state)).toMatchObject({ currentPrice: 2_000, leader: { bidderId: A }, runnerUp: { bidderId: C } })
    expect(eventsOf(d.events, 'bid.placed')[0]?.private.outbidIds).toEqual([C])
  })

  it('lets the leader raise their own maximum by a cent, without moving the price or outbidding anyone', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 5_000], [B, 3_000]]) // price 3_100
    // The leader's own minimum is theirs alone; the public floor and new-bidder minimum stay lower.
    expect(refused(placeBid(s, bid(A, 5_000), at(MINUTE), RULES))).toMatchObject({ code: 'bid_too_low', minimum: usd(5_001) })
    const d = accepted(placeBid(s, bid(A, 5_001), at(MINUTE), RULES))
    expect(auctionOf(d.state)).toMatchObject({ currentPrice: 3_100, leader: { bidderId: A, maxAmount: 5_001 }, bidCount: 3 })
    const [placed] = eventsOf(d.events, 'bid.placed')
    expect(placed?.data.leaderChanged).toBe(false)
    expect(placed?.private.outbidIds).toEqual([])
  })

  it('lets a leader capped at their own maximum raise it below what a newcomer must bid', () => {
    const s = withBids(openAuction({ startingBid: 1_000 }), [[A, 1_000]]) // newcomers need 1_050
    expect(auctionOf(accepted(placeBid(s, bid(A, 1_001), at(MINUTE), RULES)).state).leader?.maxAmount).toBe(1_001)
  })

  it('refuses the seller, another currency, and a listing that is not an auction', () => {
    const s = openAuction()
    expect(refused(placeBid(s, bid(SELLER, 5_000), at(MINUTE), RULES))).toEqual({ code: 'own_listing' })
    expect(refused(placeBid(s, bid(A, eur(5_000)), at(MINUTE), RULES))).toEqual({ code: 'currency_mismatch' })
    expect(refused(placeBid(openFixed(), bid(A, 5_000), at(MINUTE), RULES))).toEqual({ code: 'not_an_auction' })
  })

  it('refuses bids from the end on, and on a withdrawn listing', () => {
    const s = openAuction({}, 30 * MINUTE)
    expect(accepted(placeBid(s, bid(A, 1_000), at(30 * MINUTE - 1), RULES)).state.auction?.bidCount).toBe(1)
    expect(refused(placeBid(s, bid(A, 1_000), at(30 * MINUTE), RULES))).toEqual({ code: 'auction_ended' })
    const withdrawn = accepted(withdrawListing(s, SELLER, at(MINUTE))).state
    expect(refused(placeBid(withdrawn, bid(A, 1_000), at(2 * MINUTE), RULES))).toEqual({ code: 'listing_withdrawn' })
  })

  it('stamps the bid with the time and says nothing private in public data', () => {
    const d = accepted(placeBid(withBids(openAuction(), [[A, 8_000]]), bid(B, 4_000), at(5 * MINUTE), RULES))
    expect(d.state.updatedAt).toBe(iso(5 * MINUTE))
    const [placed] = eventsOf(d.events, 'bid.placed')
    expect(placed?.data).toEqual({
      bidId: expect.stringMatching(/^bid_/),
      bidder: 'alias-b',
      currentPrice: usd(4_100),
      bidCount: 2,
      leaderChanged: false,
      endsAt: iso(30 * MINUTE),
    })
  })
})

describe('placeBid: the secret reserve and Buy It Now', () => {
  it('jumps the price to the reserve as soon as the leader’s maximum reaches it', () => {
    const s = withBids(openAuction({ startingBid: 1_000, reservePrice: 5_000 }), [[A, 3_000]])
    expect(auctionOf(s)).toMatchObject({ currentPrice: 1_000 })
    expect(reserveMet(auctionOf(s))).toBe(false)
    const met = accepted(placeBid(s, bid(A, 5_000), at(MINUTE), RULES)).state
    expect(auctionOf(met).currentPrice).toBe(5_000)
    expect(reserveMet(auctionOf(met))).toBe(true)
  })

  it('keeps proxy pricing above the reserve once it is met', () => {
    const s = withBids(openAuction({ startingBid: 1_000, reservePrice: 5_000 }), [[A, 8_000], [B, 6_000]])
    expect(auctionOf(s).currentPrice).toBe(6_100)
  })

  it('withdraws Buy It Now at the first bid when there is no reserve', () => {
    const s = openAuction({ startingBid: 1_000, buyNowPrice: 9_000 })
    expect(buyNowAvailable(auctionOf(s))).toBe(true)
    expect(buyNowAvailable(auctionOf(withBids(s, [[A, 1_000]])))).toBe(false)
  })

  it('keeps Buy It Now while bids stay under the reserve and withdraws it once one meets it', () => {
    const s = withBids(openAuction({ startingBid: 1_000, reservePrice: 5_000, buyNowPrice: 9_000 }), [[A, 4_999]])
    expect(buyNowAvailable(auctionOf(s))).toBe(true)
    expect(buyNowAvailable(auctionOf(withBids(s, [[B, 5_000]])))).toBe(false)
  })

  it('never offers Buy It Now on an auction without one, nor on one that is over', () => {
    expect(buyNowAvailable(auctionOf(openAuction()))).toBe(false)
    const ended = endAuction(openAuction({ buyNowPrice: 9_000 }), at(HOUR), RULES).state
    expect(buyNowAvailable(auctionOf(ended))).toBe(false)
  })
})

describe('placeBid: soft close', () => {
  const END = 30 * MINUTE

  it('moves the end to now + softCloseMs for a bid inside the window, and says so', () => {
    const now = END - 30 * 1_000
    const d = accepted(placeBid(openAuction({}, END), bid(A, 1_000), at(now), RULES))
    expect(d.state.auction?.endsAt).toBe(iso(now + RULES.softCloseMs))
    expect(types(d.events)).toEqual(['bid.placed', 'auction.extended'])
    expect(eventsOf(d.events, 'auction.extended')[0]?.data).toEqual({ endsAt: iso(now + RULES.softCloseMs), previousEndsAt: iso(END) })
    expect(eventsOf(d.events, 'bid.placed')[0]?.data.endsAt).toBe(iso(now + RULES.softCloseMs))
  })

  it('extends for a bid one millisecond inside the window', () => {
    const now = END - RULES.softCloseMs + 1
    expect(accepted(placeBid(openAuction({}, END), bid(A, 1_000), at(now), RULES)).state.auction?.endsAt).toBe(iso(END + 1))
  })

  it('leaves the end alone for a bid at or before the window opens', () => {
    for (const now of [END - RULES.softCloseMs, END - RULES.softCloseMs - 1, MINUTE]) {
      const d = accepted(placeBid(openAuction({}, END), bid(A, 1_000), at(now), RULES))
      expect(d.state.auction?.endsAt).toBe(iso(END))
      expect(types(d.events)).toEqual(['bid.placed'])
    }
  })

  it('softClose keeps a later end and never moves it backwards', () => {
    expect(softClose(iso(HOUR), at(0), 2 * MINUTE)).toBe(iso(HOUR))
    expect(softClose(iso(HOUR), at(HOUR - MINUTE), 2 * MINUTE)).toBe(iso(HOUR + MINUTE))
  })
})

describe('minimumBid, bidFloor and proxyPrice', () => {
  it('quote the starting bid before any bid', () => {
    const a = auctionOf(openAuction({ startingBid: 2_500 }))
    expect(minimumBid(a)).toBe(2_500)
    expect(bidFloor(a)).toBe(2_500)
  })

  it('put the floor one cent over the price once there is a leader, under every newcomer’s minimum', () => {
    const a = auctionOf(withBids(openAuction({ startingBid: 1_000 }), [[A, 20_000], [B, 12_000]])) // price 12_250
    expect(a.currentPrice).toBe(12_250)
    expect(bidFloor(a)).toBe(12_251)
    expect(minimumBid(a)).toBe(12_500)
  })

  it('proxyPrice follows the rule for two maximums, the starting bid and the reserve', () => {
    const terms = { startingBid: 1_000, reservePrice: null }
    const lead = (maxAmount: number) => ({ bidderId: A, maxAmount, order: 1 })
    const other = (maxAmount: number) => ({ bidderId: B, maxAmount, order: 2 })
    expect(proxyPrice(terms, lead(7_000), null)).toBe(1_000)
    expect(proxyPrice(terms, lead(7_000), other(2_500))).toBe(2_600)
    expect(proxyPrice(terms, lead(2_550), other(2_500))).toBe(2_550)
    expect(proxyPrice({ startingBid: 1_000, reservePrice: 6_000 }, lead(7_000), other(2_500))).toBe(6_000)
    expect(proxyPrice({ startingBid: 1_000, reservePrice: 6_000 }, lead(5_999), other(2_500))).toBe(2_600)
  })
})

describe('endAuction', () => {
  const END = 30 * MINUTE

  it('does nothing before the end', () => {
    const s = withBids(openAuction({}, END), [[A, 2_000]])
    const d = endAuction(s, at(END - 1), RULES)
    expect(d.events).toEqual([])
    expect(d.state).toBe(s)
  })

  it('ends without a sale when nobody bid', () => {
    const d = endAuction(openAuction({}, END), at(END), RULES)
    expect(d.state.auction?.outcome).toBe('no_bids')
    expect(d.events).toEqual([{ type: 'auction.ended', data: { outcome: 'no_bids', finalPrice: null, bidCount: 0 }, private: { winnerId: null } }])
    expect(d.state.reservations).toEqual([])
  })

  it('ends without a sale when the reserve was not met', () => {
    const s = withBids(openAuction({ reservePrice: 5_000 }, END), [[A, 4_000], [B, 4_500]])
    const d = endAuction(s, at(END), RULES)
    expect(d.state.auction?.outcome).toBe('reserve_not_met')
    expect(d.events).toEqual([{ type: 'auction.ended', data: { outcome: 'reserve_not_met', finalPrice: null, bidCount: 2 }, private: { winnerId: null } }])
    expect(d.state.reservations).toEqual([])
  })

  it('sells to the leader at the current price and holds the item for payment', () => {
    const s = withBids(openAuction({ reservePrice: 3_000 }, END), [[A, 4_000], [B, 6_000]]) // B leads at 4_100
    const now = at(END + 5_000)
    const d = endAuction(s, now, RULES)
    const paymentDueAt = new Date(now.getTime() + RULES.auctionPaymentMs).toISOString()
    expect(d.state.auction?.outcome).toBe('sold')
    expect(d.state.reservations).toEqual([{ id: s.id, holderId: B, quantity: 1, unitPrice: 4_100, expiresAt: paymentDueAt, source: 'auction', orderBound: false }])
    expect(d.events).toEqual([
      { type: 'auction.ended', data: { outcome: 'sold', finalPrice: usd(4_100), bidCount: 2 }, private: { winnerId: B } },
      { type: 'auction.won', data: { price: usd(4_100), paymentDueAt }, private: { winnerId: B, reservationId: s.id } },
      {
        type: 'stock.reserved',
        data: { quantity: 1, available: 0, expiresAt: paymentDueAt },
        private: { reservationId: s.id, holderId: B, source: 'auction', unitPrice: usd(4_100) },
      },
    ])
  })

  it('ends once: a second run changes nothing', () => {
    const once = endAuction(withBids(openAuction({}, END), [[A, 2_000]]), at(END), RULES)
    const twice = endAuction(once.state, at(END + HOUR), RULES)
    expect(twice.events).toEqual([])
    expect(twice.state.reservations).toHaveLength(1)
  })

  it('follows an end moved by soft close', () => {
    const s = accepted(placeBid(openAuction({}, END), bid(A, 1_000), at(END - MINUTE), RULES)).state // ends at END + 1 min
    expect(endAuction(s, at(END), RULES).events).toEqual([])
    expect(endAuction(s, at(END + MINUTE), RULES).state.auction?.outcome).toBe('sold')
  })

  it('leaves a withdrawn auction alone', () => {
    const s = accepted(withdrawListing(openAuction({}, END), SELLER, at(MINUTE))).state
    expect(endAuction(s, at(END), RULES).events).toEqual([])
  })
})

describe('soft close and the leader', () => {
  it('does not extend the end when the leader only raises their own maximum', () => {
    const endsIn = 10 * MINUTE
    const s = accepted(placeBid(openAuction({ startingBid: 1_000 }, endsIn), bid(A, 2_000), at(MINUTE), RULES)).state
    const late = at(endsIn - 30_000)
    const raised = accepted(placeBid(s, bid(A, 9_000), late, RULES))
    expect(raised.state.auction?.endsAt).toBe(s.auction?.endsAt)
    expect(types(raised.events)).toEqual(['bid.placed'])
    const challenged = accepted(placeBid(raised.state, bid(B, 3_000), late, RULES))
    expect(types(challenged.events)).toEqual(['bid.placed', 'auction.extended'])
  })
})
