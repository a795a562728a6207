import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatId } from '../../../src/core/ids'
import { EventEnvelope } from '../../../src/events/event-envelope'
import { placeBid } from '../../../src/listings/auction'
import { listingEventTypes } from '../../../src/events/contract/listing-events'
import { listingView } from '../../../src/listings/listing-view'
import type { JsonValue, StoredEvent } from '../../../src/listings/live-message'
import { toEnvelope } from '../../../src/listings/outbox'
import { orderEventEnvelope, type OrderEventRow } from '../../../src/orders/order-event'
import { eventAudience, eventFilters, matchesFilter, webhookPayload } from '../../../src/webhook-endpoints/event-audience'
import { accepted, at, bid, LISTING_ID, openAuction, openFixed, RULES, SELLER } from '../listings/fixtures'

const BUYER = 'usr_buyer'
const BIDDER = 'usr_secret_bidder'

const orderRow = (over: Partial<OrderEventRow> = {}): OrderEventRow => ({
  eventId: 'evt_01m88jqa37acnyazb5evhqw3zy',
  orderId: 'ord_01m88jqa3nf9ty2gs0k5w3yncb',
  seq: 2,
  status: 'paid',
  action: 'pay',
  actor: 'system',
  reason: null,
  at: '2030-03-01T12:00:00.000Z',
  buyerId: BUYER,
  sellerId: SELLER,
  currency: 'EUR',
  total: 3000,
  items: [{ listingId: LISTING_ID, quantity: 1, unitPrice: 3000 }],
  ...over,
})

/** A listing event as the listing store writes it and the outbox sends it: public data plus the listing snapshot. */
function listingEnvelope(e: { type: string; data: Record<string, JsonValue>; private: Record<string, JsonValue> }, seq = 7): EventEnvelope {
  const stored: StoredEvent = {
    id: formatId('evt', at(seq).getTime(), new Uint8Array(10).fill(seq)),
    seq,
    type: e.type,
    version: 1,
    occurredAt: at(seq).toISOString(),
    data: { ...e.data, listing: listingView(openFixed(), at(seq)) },
    private: e.private,
  }
  return toEnvelope(LISTING_ID, stored)
}

const envelope = (over: Partial<EventEnvelope> = {}): EventEnvelope => ({
  id: 'evt_01m88jqa37acnyazb5evhqw3zy',
  type: 'order.paid',
  version: 1,
  aggregateId: 'ord_1',
  seq: 3,
  occurredAt: '2030-03-01T12:00:00.000Z',
  data: {},
  ...over,
})

describe('eventAudience', () => {
  it('sends an order’s events to its buyer and its seller', () => {
    for (const over of [{ seq: 1, status: 'pending_payment' as const }, { seq: 2, status: 'paid' as const }, { seq: 5, status: 'completed' as const }]) {
      const e = orderEventEnvelope(orderRow(over))
      expect(EventEnvelope.parse(e)).toEqual(e)
      expect(eventAudience(e).sort()).toEqual([BUYER, SELLER].sort())
    }
  })

  it('names a user once when buyer and seller are the same id', () => {
    expect(eventAudience(orderEventEnvelope(orderRow({ buyerId: SELLER })))).toEqual([SELLER])
  })

  it('sends every kind of listing event to the seller only, whoever is named in private', () => {
    for (const type of listingEventTypes) {
      const e = listingEnvelope({ type, data: {}, private: { bidderId: BIDDER, holderId: BIDDER, buyerId: BIDDER, winnerId: BIDDER } })
      expect(eventAudience(e)).toEqual([SELLER])
    }
  })

  it('sends a real bid to the seller, not the bidder, and leaves the bidder out of the payload', () => {
    const placed = accepted(placeBid(openAuction(), bid(BIDDER, 2_000), at(1_000), RULES)).events
    expect(placed.map((e) => e.type)).toEqual(['bid.placed'])
    const e = listingEnvelope(placed[0]!)
    expect(JSON.stringify(e.private)).toContain(BIDDER)
    expect(eventAudience(e)).toEqual([SELLER])
    expect(JSON.stringify(webhookPayload(e))).not.toContain(BIDDER)
  })

  it('sends nothing else to anyone', () => {
    expect(eventAudience(envelope({ type: 'health.probe', data: { buyerId: BUYER, sellerId: SELLER } }))).toEqual([])
    expect(eventAudience(envelope({ type: 'payment.captured', data: { buyerId: BUYER, listing: { sellerId: SELLER } } }))).toEqual([])
    // Near misses of the prefixes
    expect(eventAudience(envelope({ type: 'orders.paid', data: { buyerId: BUYER } }))).toEqual([])
    expect(eventAudience(envelope({ type: 'listings.created', data: { listing: { sellerId: SELLER } } }))).toEqual([])
  })

  it('reads only the fields it needs, and answers nobody for missing or odd ones', () => {
    expect(eventAudience(envelope({ type: 'order.paid', data: { buyerId: BUYER } }))).toEqual([BUYER])
    expect(eventAudience(envelope({ type: 'order.paid', data: { buyerId: 42, sellerId: '' } }))).toEqual([])
    expect(eventAudience(envelope({ type: 'order.paid', data: null }))).toEqual([])
    expect(eventAudience(envelope({ type: 'order.paid', data: 'usr_x' }))).toEqual([])
    expect(eventAudience(envelope({ type: 'order.paid', data: [BUYER, SELLER] }))).toEqual([])
    expect(eventAudience(envelope({ type: 'bid.placed', data: { sellerId: SELLER } }))).toEqual([])
    expect(eventAudience(envelope({ type: 'bid.placed', data: { listing: null } }))).toEqual([])
    expect(eventAudience(envelope({ type: 'bid.placed', data: { listing: { sellerId: ['usr_x'] } } }))).toEqual([])
    expect(eventAudience(envelope({ type: 'order.paid', data: undefined, private: { buyerId: BUYER, sellerId: SELLER } }))).toEqual([])
  })

  it('never throws, whatever the data, and answers distinct strings (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('order.paid', 'listing.created', 'bid.placed', 'stock.reserved', 'health.probe'), fc.anything(), (type, data) => {
        const audience = eventAudience(envelope({ type, data }))
        expect(new Set(audience).size).toBe(audience.length)
        for (const id of audience) expect(typeof id).toBe('string')
      }),
    )
  })
})

describe('matchesFilter', () => {
  it.each([
    [['*'], 'order.paid', true],
    [['*'], 'bid.placed', true],
    [['order.paid'], 'order.paid', true],
    [['order.paid'], 'order.shipped', false],
    [['order.*'], 'order.paid', true],
    [['order.*'], 'order.in_transit', true],
    [['order.*'], 'orders.paid', false],
    [['order.*'], 'order', false],
    [['order.*'], 'listing.created', false],
    [['stock.*', 'bid.placed'], 'bid.placed', true],
    [['stock.*', 'bid.placed'], 'stock.released', true],
    [['stock.*', 'bid.placed'], 'bid.retracted', false],
    [['order'], 'order.paid', false],
    [['order.'], 'order.paid', false],
    [['*.paid'], 'order.paid', false],
    [['order*'], 'order.paid', false],
    [[], 'order.paid', false],
  ] as const)('%j takes %s: %s', (filter, type, expected) => {
    expect(matchesFilter(filter, type)).toBe(expected)
  })
})

describe('webhookPayload', () => {
  it('is { type, timestamp, data } with the event’s id, aggregate and seq added to its public data', () => {
    const e = orderEventEnvelope(orderRow())
    expect(webhookPayload(e)).toEqual({
      type: 'order.paid',
      timestamp: '2030-03-01T12:00:00.000Z',
      data: { ...(e.data as Record<string, unknown>), eventId: e.id, aggregateId: 'ord_01m88jqa3nf9ty2gs0k5w3yncb', seq: 2 },
    })
  })

  it('carries the listing snapshot on listing events', () => {
    const e = listingEnvelope({ type: 'listing.updated', data: { changed: ['price'] }, private: {} })
    const payload = webhookPayload(e)
    expect(payload.data).toMatchObject({ changed: ['price'], listing: { id: LISTING_ID, sellerId: SELLER }, aggregateId: LISTING_ID, seq: 7 })
  })

  it('wraps data that is not an object as { value }', () => {
    expect(webhookPayload(envelope({ data: 'text' })).data).toEqual({ value: 'text', eventId: 'evt_01m88jqa37acnyazb5evhqw3zy', aggregateId: 'ord_1', seq: 3 })
    expect(webhookPayload(envelope({ data: [1, 2] })).data).toMatchObject({ value: [1, 2] })
    expect(webhookPayload(envelope({ data: null })).data).toMatchObject({ value: null })
  })

  it('lets the envelope’s eventId, aggregateId and seq win over same-named data', () => {
    expect(webhookPayload(envelope({ data: { seq: 99, eventId: 'evt_forged', aggregateId: 'x', note: 'kept' } })).data).toEqual({
      note: 'kept',
      eventId: 'evt_01m88jqa37acnyazb5evhqw3zy',
      aggregateId: 'ord_1',
      seq: 3,
    })
  })

  it('does not share its data object with the event', () => {
    const data = { a: 1 }
    webhookPayload(envelope({ data })).data.a = 2
    expect(data.a).toBe(1)
  })

  it('never carries anything from private, whatever it holds (property)', () => {
    const marker = 'PRIVATE-7f3a'
    const secretArb = fc.oneof(fc.string().map((s) => `${marker}${s}`), fc.integer().map((n) => `${marker}${n}`))
    const privateArb = fc.dictionary(fc.string(), fc.oneof(secretArb, fc.array(secretArb), fc.dictionary(fc.string(), secretArb)))
    fc.assert(
      fc.property(fc.constantFrom('order.paid', 'bid.placed', 'stock.reserved', 'offer.created', 'health.probe'), fc.jsonValue(), privateArb, (type, data, secret) => {
        fc.pre(!JSON.stringify(data ?? null).includes(marker))
        const withPrivate = envelope({ type, data, private: secret })
        const without = envelope({ type, data })
        expect(webhookPayload(withPrivate)).toEqual(webhookPayload(without))
        expect(JSON.stringify(webhookPayload(withPrivate))).not.toContain(marker)
        expect(eventAudience(withPrivate)).toEqual(eventAudience(without))
      }),
    )
  })
})

describe('eventFilters', () => {
  it('lists *, each type and each of its prefixes, once, sorted after *', () => {
    expect(eventFilters(['order.paid', 'offer.created', 'order.shipped', 'a.b.c'])).toEqual(['*', 'a.*', 'a.b.*', 'a.b.c', 'offer.*', 'offer.created', 'order.*', 'order.paid', 'order.shipped'])
  })

  it('offers only entries that match some type, and for every type an entry of each kind that matches it', () => {
    const typeArb = fc.array(fc.stringMatching(/^[a-z_]{1,8}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'))
    fc.assert(
      fc.property(fc.uniqueArray(typeArb, { minLength: 1, maxLength: 12 }), (types) => {
        const entries = eventFilters(types)
        for (const entry of entries) expect(types.some((t) => matchesFilter([entry], t)), entry).toBe(true)
        for (const t of types) expect(entries.filter((entry) => matchesFilter([entry], t)).length).toBe(t.split('.').length + 1)
      }),
    )
  })
})
