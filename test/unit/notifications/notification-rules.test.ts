import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { placeBid } from '../../../src/listings/auction'
import type { ListingEvent } from '../../../src/events/contract/listing-events'
import type { ListingState } from '../../../src/listings/listing-state'
import { listingView } from '../../../src/listings/listing-view'
import { orderEventTypes } from '../../../src/events/contract/order-events'
import { orderEventEnvelope, type OrderEventRow } from '../../../src/orders/order-event'
import type { OrderStatus } from '../../../src/orders/order-machine'
import { auctionOrderId } from '../../../src/orders/order-view'
import { decodeEvent } from '../../../src/events/contract/souk-event'
import { subscriptions } from '../../../src/events/event-subscriptions'
import { formatMoney, noticesFor, notificationTypes, type Notice, type NotificationCategory } from '../../../src/notifications/notification-rules'
import { at, bid, LISTING_ID, MINUTE, openAuction, RULES, SELLER, T0, usd } from '../listings/fixtures'

const BUYER = 'usr_buyer'
const WINNER = 'usr_winner'
const LEADER = 'usr_secret_leader'
const OUTBID = 'usr_outbid'

/** A listing event as the outbox sends it: public data with the listing's snapshot, and the private part. */
function listingEnvelope(e: ListingEvent, state: ListingState = openAuction()): EventEnvelope {
  return {
    id: 'evt_01m88jqa37acnyazb5evhqw3zy',
    type: e.type,
    version: 1,
    aggregateId: LISTING_ID,
    seq: 7,
    occurredAt: T0.toISOString(),
    data: { ...e.data, listing: listingView(state, T0) },
    private: e.private,
  }
}

/** The notices of an envelope, decoded against the contract as the consumer does. */
function notices(e: EventEnvelope): Notice[] {
  const decoded = decodeEvent(e)
  if (!decoded) throw new Error(`${e.type} is not declared`)
  return noticesFor(decoded)
}

const ORDER_ID = 'ord_01m88jqa3nf9ty2gs0k5w3yncb'

function orderEnvelope(status: OrderStatus, over: Partial<OrderEventRow> = {}): EventEnvelope {
  return orderEventEnvelope({
    eventId: 'evt_01m88jqa37acnyazb5evhqw3zy',
    orderId: ORDER_ID,
    seq: 2,
    status,
    action: 'pay',
    actor: 'system',
    reason: null,
    at: T0.toISOString(),
    buyerId: BUYER,
    sellerId: SELLER,
    currency: 'EUR',
    total: 3_050,
    items: [{ listingId: LISTING_ID, quantity: 1, unitPrice: 3_050 }],
    ...over,
  })
}

function standingEnvelope(type: 'account.frozen' | 'account.unfrozen'): EventEnvelope {
  return { id: 'evt_01m88jqa37acnyazb5evhqw3zy', type, version: 1, aggregateId: BUYER, seq: 1, occurredAt: T0.toISOString(), data: { userId: BUYER, by: 'usr_staff' } }
}

function endpointDisabledEnvelope(): EventEnvelope {
  const data = { endpointId: 'whe_1', ownerId: SELLER, url: 'https://hooks.example/souk', reason: 'failing since 2030-01-01' }
  return { id: 'evt_01m88jqa37acnyazb5evhqw3zy', type: 'webhook_endpoint.disabled', version: 1, aggregateId: 'whe_1', seq: 1, occurredAt: T0.toISOString(), data }
}

const bidPlaced = (outbidIds: string[]): ListingEvent => ({
  type: 'bid.placed',
  data: { bidId: 'bid_9', bidder: 'alias-leader', currentPrice: usd(1_550), bidCount: 3, leaderChanged: true, endsAt: at(30 * MINUTE).toISOString() },
  private: { bidderId: LEADER, maxAmount: usd(9_900), leaderId: LEADER, outbidIds },
})
const offerCreated = (from: 'buyer' | 'seller', quantity = 1): ListingEvent => ({
  type: 'offer.created',
  data: { offerId: 'ofr_2', from, expiresAt: at(48 * 60 * MINUTE).toISOString() },
  private: { buyerId: BUYER, unitAmount: usd(4_000), quantity, counters: from === 'seller' ? 'ofr_1' : null },
})
const offerDeclined = (reason: 'declined' | 'countered' | 'superseded' | 'stock_taken' | 'withdrawn' | 'price_lowered'): ListingEvent => ({
  type: 'offer.declined',
  data: { offerId: 'ofr_1', reason },
  private: { buyerId: BUYER },
})
const auctionEnded = (outcome: 'sold' | 'no_bids' | 'reserve_not_met' | 'bought_now'): ListingEvent => ({
  type: 'auction.ended',
  data: { outcome, finalPrice: outcome === 'sold' ? usd(2_000) : null, bidCount: outcome === 'no_bids' ? 0 : 2 },
  private: { winnerId: outcome === 'sold' ? WINNER : null },
})

type Expected = [userId: string, type: string, category: NotificationCategory][]

/** Each event → who hears what. The whole rule book, in one table. */
const table: [name: string, e: EventEnvelope, expected: Expected][] = [
  ['bid.placed, someone outbid', listingEnvelope(bidPlaced([OUTBID])), [[OUTBID, 'bid.outbid', 'activity']]],
  ['bid.placed, nobody outbid', listingEnvelope(bidPlaced([])), []],
  [
    'auction.won',
    listingEnvelope({ type: 'auction.won', data: { price: usd(2_000), paymentDueAt: at(48 * 60 * MINUTE).toISOString() }, private: { winnerId: WINNER, reservationId: LISTING_ID } }),
    [
      [WINNER, 'auction.won', 'payment'],
      [SELLER, 'auction.sold', 'activity'],
    ],
  ],
  ['auction.ended, no bids', listingEnvelope(auctionEnded('no_bids')), [[SELLER, 'auction.unsold', 'activity']]],
  ['auction.ended, reserve not met', listingEnvelope(auctionEnded('reserve_not_met')), [[SELLER, 'auction.unsold', 'activity']]],
  ['auction.ended, sold (auction.won tells)', listingEnvelope(auctionEnded('sold')), []],
  ['auction.ended, bought now (the order tells)', listingEnvelope(auctionEnded('bought_now')), []],
  ['offer.created by the buyer', listingEnvelope(offerCreated('buyer')), [[SELLER, 'offer.received', 'activity']]],
  ['offer.created by the seller (a counter)', listingEnvelope(offerCreated('seller')), [[BUYER, 'offer.countered', 'activity']]],
  [
    'offer.accepted',
    listingEnvelope({ type: 'offer.accepted', data: { offerId: 'ofr_1' }, private: { buyerId: BUYER, reservationId: 'ofr_1', unitAmount: usd(4_000), quantity: 2 } }),
    [[BUYER, 'offer.accepted', 'activity']],
  ],
  ['offer.declined', listingEnvelope(offerDeclined('declined')), [[BUYER, 'offer.declined', 'activity']]],
  ['offer.declined, stock taken', listingEnvelope(offerDeclined('stock_taken')), [[BUYER, 'offer.declined', 'activity']]],
  ['offer.declined, listing withdrawn', listingEnvelope(offerDeclined('withdrawn')), [[BUYER, 'offer.declined', 'activity']]],
  ['offer.declined, price lowered', listingEnvelope(offerDeclined('price_lowered')), [[BUYER, 'offer.declined', 'activity']]],
  ['offer.declined, countered (offer.countered tells)', listingEnvelope(offerDeclined('countered')), []],
  ['offer.declined, superseded by the buyer’s own', listingEnvelope(offerDeclined('superseded')), []],
  ['offer.expired', listingEnvelope({ type: 'offer.expired', data: { offerId: 'ofr_1' }, private: { buyerId: BUYER } }), [[BUYER, 'offer.expired', 'activity']]],
  ['listing.created', listingEnvelope({ type: 'listing.created', data: {}, private: {} }), []],
  ['listing.withdrawn', listingEnvelope({ type: 'listing.withdrawn', data: {}, private: {} }), []],
  ['auction.extended', listingEnvelope({ type: 'auction.extended', data: { endsAt: at(2).toISOString(), previousEndsAt: at(1).toISOString() }, private: {} }), []],
  [
    'stock.reserved',
    listingEnvelope({
      type: 'stock.reserved',
      data: { quantity: 1, available: 0, expiresAt: at(1).toISOString() },
      private: { reservationId: 'ord_1', holderId: BUYER, source: 'checkout', unitPrice: usd(5_000) },
    }),
    [],
  ],
  ['order.created', orderEnvelope('pending_payment', { seq: 1 }), []],
  [
    'order.paid',
    orderEnvelope('paid'),
    [
      [BUYER, 'order.paid', 'payment'],
      [SELLER, 'order.sold', 'payment'],
    ],
  ],
  ['order.pending_review', orderEnvelope('pending_review', { reason: 'risk_review' }), [[BUYER, 'order.pending_review', 'payment']]],
  ['order.shipped', orderEnvelope('shipped'), [[BUYER, 'order.shipped', 'activity']]],
  ['order.in_transit', orderEnvelope('in_transit'), []],
  ['order.delivered', orderEnvelope('delivered'), [[BUYER, 'order.delivered', 'activity']]],
  ['order.completed', orderEnvelope('completed'), [[SELLER, 'order.completed', 'payment']]],
  [
    'order.cancelled',
    orderEnvelope('cancelled', { reason: 'cancelled_by_seller' }),
    [
      [BUYER, 'order.cancelled', 'payment'],
      [SELLER, 'order.cancelled', 'payment'],
    ],
  ],
  ['order.disputed', orderEnvelope('disputed', { reason: 'It arrived broken, and usr_buyer says so' }), [[SELLER, 'order.disputed', 'payment']]],
  ['order.refunded', orderEnvelope('refunded'), [[BUYER, 'order.refunded', 'payment']]],
  ['account.frozen', standingEnvelope('account.frozen'), [[BUYER, 'account.frozen', 'security']]],
  ['account.unfrozen', standingEnvelope('account.unfrozen'), [[BUYER, 'account.unfrozen', 'security']]],
  ['webhook_endpoint.disabled', endpointDisabledEnvelope(), [[SELLER, 'webhook.disabled', 'security']]],
]

const summary = (notices: Notice[]): Expected => notices.map((n) => [n.userId, n.type, n.category])

describe('noticesFor', () => {
  it.each(table)('%s', (_name, e, expected) => {
    expect(summary(notices(e))).toEqual(expected)
  })

  it('covers every notification type and every order event type in the table', () => {
    const produced = new Set(table.flatMap(([, e]) => notices(e).map((n) => n.type)))
    expect([...produced].sort()).toEqual([...notificationTypes].sort())
    const orderTypes = new Set(table.map(([, e]) => e.type).filter((t) => t.startsWith('order.')))
    expect([...orderTypes].sort()).toEqual([...orderEventTypes].sort())
  })

  it('is subscribed to every type that tells somebody something, and only to those of the table that do (or may)', () => {
    const { types } = subscriptions.notifications
    for (const [name, e, expected] of table) if (expected.length > 0) expect(types.has(e.type), name).toBe(true)
    const silent = new Set(table.filter(([, e]) => !table.some(([, other, expected]) => other.type === e.type && expected.length > 0)).map(([, e]) => e.type))
    for (const type of silent) expect(types.has(type), type).toBe(false)
  })

  it('names the listing and the money in plain words', () => {
    const [outbid] = notices(listingEnvelope(bidPlaced([OUTBID])))
    expect(outbid).toMatchObject({ title: 'You have been outbid', body: 'You are no longer the highest bidder on “Brass lamp”. The price is now $15.50.' })
    const [won, sold] = notices(table.find(([name]) => name === 'auction.won')![1])
    expect(won!.body).toBe('You won “Brass lamp” for $20.00. Pay by 2030-03-03 12:00 UTC.')
    expect(sold!.title).toBe('“Brass lamp” sold')
    const [paid] = notices(orderEnvelope('paid'))
    expect(paid!.body).toContain('€30.50')
    const [received] = notices(listingEnvelope(offerCreated('buyer', 3)))
    expect(received!.body).toBe('You have an offer of $40.00 each for 3 on “Brass lamp”.')
  })

  it('carries ids and amounts in data', () => {
    const [won, sold] = notices(table.find(([name]) => name === 'auction.won')![1])
    expect(won!.data).toEqual({ listingId: LISTING_ID, orderId: auctionOrderId(LISTING_ID), price: usd(2_000), paymentDueAt: at(48 * 60 * MINUTE).toISOString() })
    expect(sold!.data).toEqual({ listingId: LISTING_ID, price: usd(2_000), paymentDueAt: at(48 * 60 * MINUTE).toISOString() })
    const [countered] = notices(listingEnvelope(offerCreated('seller')))
    expect(countered!.data).toEqual({ listingId: LISTING_ID, offerId: 'ofr_2', amount: usd(4_000), quantity: 1, expiresAt: at(48 * 60 * MINUTE).toISOString() })
    for (const n of notices(orderEnvelope('refunded'))) expect(n.data).toEqual({ orderId: ORDER_ID, total: { amount: 3_050, currency: 'EUR' } })
  })

  it('throttles outbid notices per listing, and nothing else', () => {
    for (const [, e] of table) {
      for (const n of notices(e)) expect(n.throttleKey).toBe(n.type === 'bid.outbid' ? `bid.outbid:${LISTING_ID}` : null)
    }
  })

  it('keeps other people out: no winner id for the seller, no buyer id or words in a dispute, no leader for the outbid', () => {
    const [, sold] = notices(table.find(([name]) => name === 'auction.won')![1])
    expect(JSON.stringify(sold)).not.toContain(WINNER)
    const [disputed] = notices(orderEnvelope('disputed', { reason: 'It arrived broken, and usr_buyer says so' }))
    expect(JSON.stringify(disputed)).not.toContain('broken')
    expect(JSON.stringify(disputed)).not.toContain(BUYER)
    const [received] = notices(listingEnvelope(offerCreated('buyer')))
    expect(JSON.stringify(received)).not.toContain(BUYER)
  })

  it('tells the reader who cancelled, from their side', () => {
    const [buyer, seller] = notices(orderEnvelope('cancelled', { reason: 'cancelled_by_seller' }))
    expect(buyer!.body).toBe(`Order ${ORDER_ID} was cancelled by the seller. Any payment is refunded.`)
    expect(seller!.body).toBe(`Order ${ORDER_ID} was cancelled at your request.`)
    const [unpaid] = notices(orderEnvelope('cancelled', { reason: 'hold_expired' }))
    expect(unpaid!.body).toContain('because it was not paid in time')
  })

  it('never tells an outbid bidder who leads, who bid, or anyone’s maximum (property)', () => {
    const userId = fc.stringMatching(/^usr_[0-9a-z]{26}$/)
    fc.assert(
      fc.property(userId, userId, fc.uniqueArray(userId, { maxLength: 3 }), fc.integer({ min: 1, max: 1_000_000 }), (leader, bidder, outbid, max) => {
        fc.pre(!outbid.includes(leader))
        const e: ListingEvent = {
          type: 'bid.placed',
          data: { bidId: 'bid_1', bidder: 'pseudonym', currentPrice: usd(1_000), bidCount: 2, leaderChanged: true, endsAt: at(MINUTE).toISOString() },
          private: { bidderId: bidder, maxAmount: usd(1_000_000 + max), leaderId: leader, outbidIds: outbid },
        }
        const each = notices(listingEnvelope(e))
        expect(each.map((n) => n.userId).sort()).toEqual([...outbid].sort())
        for (const n of each) {
          const told = JSON.stringify({ title: n.title, body: n.body, data: n.data })
          expect(told).not.toContain(leader)
          expect(told).not.toContain(bidder)
          expect(told).not.toContain(String(1_000_000 + max))
          expect(Object.keys(n.data).sort()).toEqual(['currentPrice', 'endsAt', 'listingId'])
        }
      }),
    )
  })

  it('tells the displaced leader, and a bidder who loses at once to the leader’s maximum', () => {
    let state = openAuction()
    const outbidBy = (who: string, amount: number, ms: number): string[] => {
      const d = placeBid(state, bid(who, amount), at(ms), RULES)
      if (!d.ok) throw new Error(JSON.stringify(d.rejection))
      state = d.state
      return d.events.flatMap((e) => notices(listingEnvelope(e, state))).map((n) => `${n.userId} ${n.type}`)
    }
    expect(outbidBy('usr_ann', 1_500, 1_000)).toEqual([])
    expect(outbidBy('usr_bob', 3_000, 2_000)).toEqual(['usr_ann bid.outbid'])
    expect(outbidBy('usr_ann', 2_000, 3_000)).toEqual(['usr_ann bid.outbid'])
    expect(outbidBy('usr_bob', 4_000, 4_000)).toEqual([])
  })

  it('through real bidding wars, tells each displaced bidder and no one else anything private (property)', () => {
    const bidders = ['usr_ann', 'usr_bob', 'usr_cat', 'usr_dan']
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...bidders), fc.integer({ min: 1_000, max: 20_000 })), { minLength: 1, maxLength: 12 }), (bids) => {
        let state = openAuction()
        bids.forEach(([who, amount], i) => {
          const decision = placeBid(state, bid(who, amount), at((i + 1) * 1_000), RULES)
          if (!decision.ok) return
          state = decision.state
          const placed = decision.events.find((e) => e.type === 'bid.placed')
          if (placed?.type !== 'bid.placed') return
          const each = notices(listingEnvelope(placed, state))
          expect(each.map((n) => n.userId)).toEqual(placed.private.outbidIds)
          for (const n of each) {
            expect(n.userId).not.toBe(placed.private.leaderId)
            const told = JSON.stringify({ title: n.title, body: n.body, data: n.data })
            for (const other of bidders) expect(told).not.toContain(other.slice(4))
          }
        })
      }),
    )
  })
})

describe('formatMoney', () => {
  it.each([
    [{ amount: 1_250, currency: 'USD' }, '$12.50'],
    [{ amount: 5, currency: 'USD' }, '$0.05'],
    [{ amount: 123_456_789, currency: 'EUR' }, '€1,234,567.89'],
    [{ amount: 100_000, currency: 'GBP' }, '£1,000.00'],
    [{ amount: 99_999, currency: 'CAD' }, 'CA$999.99'],
    [{ amount: 1_000_000_000, currency: 'AUD' }, 'A$10,000,000.00'],
  ] as const)('%j reads %s', (m, expected) => {
    expect(formatMoney(m)).toBe(expected)
  })
})
