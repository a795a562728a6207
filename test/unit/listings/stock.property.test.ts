import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { accepted as decision, type ListingDecision } from '../../../src/listings/listing-decision'
import type { Settlement } from '../../../src/events/contract/listing-events'
import { updateListing, type UpdateRejection } from '../../../src/listings/listing-lifecycle'
import { availableQuantity, reservedQuantity, type ListingState } from '../../../src/listings/listing-state'
import { makeOffer, respondToOffer, type OfferRejection } from '../../../src/listings/offers'
import {
  claim,
  commit,
  dueOrderReservations,
  expireReservations,
  reservedLine,
  release,
  reserve,
  restock,
  type SettledOutcome,
  type StockRejection,
} from '../../../src/listings/stock'
import { eventsOf, HOUR, LISTING_ID, MINUTE, openFixed, RULES, SELLER, T0, types } from './fixtures'

/**
 * Law 1 (no oversell) and idempotency by reservation id, over any sequence of checkouts (which
 * claim the buyer's own hold when there is one), accepted offers (unbound holds), claims, commits,
 * releases, restocks of cancelled orders, expiry, the object settling lapsed order-bound holds,
 * seller edits and the terms a hold answers: judged by a model that keeps its own ledger of held, sold and settled
 * units. Unbound holds lapse on their own; order-bound ones wait for their order's fate.
 */
const PRICE = 2_000

type Holder = number | 'seller'
type Command =
  /**
   * A checkout's reservation, at the price the buyer saw (`current`), one since changed (`original`),
   * or unchecked. With `offer`, it is an accepted offer's buyer checking out its quantity.
   */
  | { kind: 'reserve'; id: number; holder: Holder; quantity: number; offer: number | null; ttlMs: number; price: 'unchecked' | 'current' | 'original' | 'offered'; waitMs: number }
  /** A buyer's offer the seller accepts at once: an unbound hold for the offer's checkout window. */
  | { kind: 'grant'; holder: Holder; quantity: number; amount: number; ttlMs: number; waitMs: number }
  /** An order claims an accepted offer's hold, as the object does (it answers from the store first). */
  | { kind: 'claim'; hold: number; id: number; waitMs: number }
  | { kind: 'commit'; id: number; waitMs: number }
  | { kind: 'release'; id: number; waitMs: number }
  /** A cancelled order's units back: the order's quantity, or some other number. */
  | { kind: 'restock'; id: number; quantity: 'order' | number; waitMs: number }
  | { kind: 'expire'; waitMs: number; atEarliest: boolean }
  /** The object's alarm: every lapsed order-bound hold is committed (paid) or released (unpaid). */
  | { kind: 'lapse'; fate: 'commit' | 'release'; waitMs: number; atEarliest: boolean }
  /** The seller edits the quantity (never under what is sold and held) or the price. */
  | { kind: 'edit'; quantity: number | undefined; price: number | undefined; waitMs: number }
  /** The terms a hold answers a checkout with (reading only). */
  | { kind: 'line'; id: number; waitMs: number }

const waitArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 5 * MINUTE }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 * HOUR }) })
const idArb = fc.nat(7)
const holderArb = fc.oneof({ weight: 8, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constant('seller' as const) })
/** Mostly small, so that a checkout often matches its buyer's hold and claims it. */
const quantityArb = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 2 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) })
const ttlArb = fc.integer({ min: MINUTE, max: HOUR })
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      id: idArb,
      holder: holderArb,
      quantity: quantityArb,
      offer: fc.option(fc.nat(10), { nil: null, freq: 2 }),
      ttlMs: ttlArb,
      price: fc.constantFrom('unchecked' as const, 'current' as const, 'original' as const, 'offered' as const),
      waitMs: waitArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      holder: holderArb,
      quantity: quantityArb,
      amount: fc.integer({ min: 500, max: 2_600 }),
      ttlMs: ttlArb,
      waitMs: waitArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('claim' as const), hold: fc.nat(10), id: idArb, waitMs: waitArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), id: idArb, waitMs: waitArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), id: idArb, waitMs: waitArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('restock' as const),
      id: idArb,
      quantity: fc.oneof({ weight: 4, arbitrary: fc.constant('order' as const) }, { weight: 1, arbitrary: quantityArb }),
      waitMs: waitArb,
    }),
  },
  // Sometimes exactly when the earliest hold lapses: the boundary is part of the rule.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), waitMs: waitArb, atEarliest: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lapse' as const), fate: fc.constantFrom('commit' as const, 'release' as const), waitMs: waitArb, atEarliest: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      quantity: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
      price: fc.option(fc.constantFrom(1_500, PRICE, 2_500), { nil: undefined }),
      waitMs: waitArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('line' as const), id: idArb, waitMs: waitArb }) },
)

type Held = { holderId: string; quantity: number; unitPrice: number; expiresAt: number; source: 'checkout' | 'offer'; orderBound: boolean }
type Rejection = StockRejection | UpdateRejection | OfferRejection
type Expected = { rejection: Rejection } | { events: string[] }

class StockModel {
  /** Live holds by id, in the order the listing keeps them (which hold a checkout claims depends on it). */
  held = new Map<string, Held>()
  /** The store's record of settled ids: the latest outcome (an id only moves committed → restocked). */
  readonly settled = new Map<string, SettledOutcome>()
  /** Units each committed order took: what its restock gives back. */
  readonly committedQuantity = new Map<string, number>()
  sold = 0
  price = PRICE
  constructor(public quantity: number) {}

  reserved(): number {
    return [...this.held.values()].reduce((n, h) => n + h.quantity, 0)
  }

  available(): number {
    return this.quantity - this.sold - this.reserved()
  }

  /** The order's quantity, as the order itself would say. */
  orderQuantity(id: string): number | undefined {
    return this.committedQuantity.get(id) ?? this.held.get(id)?.quantity
  }

  private rekey(from: string, to: string): void {
    this.held = new Map([...this.held].map(([id, h]): [string, Held] => (id === from ? [to, { ...h, orderBound: true }] : [id, h])))
  }

  reserve(id: string, holderId: string, quantity: number, ttlMs: number, expectedUnitPrice: number | undefined, now: number): Expected {
    const prior = this.settled.get(id)
    if (prior === 'committed') return { events: [] }
    if (prior === 'released' || prior === 'restocked') return { rejection: { code: 'reservation_released' } }
    const held = this.held.get(id)
    if (held) {
      if (held.holderId !== holderId || held.quantity !== quantity) return { rejection: { code: 'reservation_conflict' } }
      // A repeat on a hold past its deadline finds it lapsed: no charge may start on it.
      return held.expiresAt > now ? { events: [] } : { rejection: { code: 'reservation_released' } }
    }
    if (holderId === SELLER) return { rejection: { code: 'own_listing' } }
    // Only a live hold is claimed: one past its deadline is as good as lapsed.
    const own = [...this.held].find(([, h]) => !h.orderBound && h.holderId === holderId && h.quantity === quantity && h.expiresAt > now)
    if (own) {
      const [holdId, h] = own
      if (expectedUnitPrice !== undefined && expectedUnitPrice !== h.unitPrice) return { rejection: { code: 'price_changed', unitPrice: h.unitPrice } }
      this.rekey(holdId, id)
      return { events: ['stock.claimed'] }
    }
    if (this.sold >= this.quantity) return { rejection: { code: 'sold_out', available: 0 } }
    const available = this.available()
    if (quantity > available) return { rejection: { code: 'sold_out', available } }
    if (expectedUnitPrice !== undefined && expectedUnitPrice !== this.price) return { rejection: { code: 'price_changed', unitPrice: this.price } }
    this.held.set(id, { holderId, quantity, unitPrice: this.price, expiresAt: now + ttlMs, source: 'checkout', orderBound: true })
    return { events: ['stock.reserved'] }
  }

  grant(offerId: string, holderId: string, quantity: number, amount: number, ttlMs: number, now: number): Expected {
    if (this.sold >= this.quantity) return { rejection: { code: 'listing_closed' } }
    if (holderId === SELLER) return { rejection: { code: 'own_listing' } }
    if (amount > this.price) return { rejection: { code: 'offer_above_price' } }
    const available = this.available()
    if (quantity > available) return { rejection: { code: 'sold_out', available } }
    this.held.set(offerId, { holderId, quantity, unitPrice: amount, expiresAt: now + ttlMs, source: 'offer', orderBound: false })
    return { events: ['offer.created', 'offer.accepted', 'stock.reserved'] }
  }

  claim(holdId: string, orderId: string, now: number): Expected {
    const prior = this.settled.get(orderId)
    if (prior === 'committed') return { events: [] }
    if (prior === 'released' || prior === 'restocked') return { rejection: { code: 'reservation_released' } }
    // Claiming again is nothing; naming another hold that is still there is a conflict.
    if (this.held.has(orderId)) return this.held.has(holdId) ? { rejection: { code: 'reservation_conflict' } } : { events: [] }
    const hold = this.held.get(holdId)
    if (hold?.orderBound !== false || hold.expiresAt <= now) return { rejection: { code: 'reservation_not_found' } }
    this.rekey(holdId, orderId)
    return { events: ['stock.claimed'] }
  }

  commit(id: string): Expected {
    const prior = this.settled.get(id)
    if (prior === 'committed') return { events: [] }
    if (prior === 'released' || prior === 'restocked') return { rejection: { code: 'reservation_released' } }
    const held = this.held.get(id)
    if (!held) return { rejection: { code: 'reservation_not_found' } }
    this.held.delete(id)
    this.sold += held.quantity
    this.committedQuantity.set(id, held.quantity)
    this.settled.set(id, 'committed')
    return { events: this.sold >= this.quantity ? ['stock.committed', 'listing.sold_out'] : ['stock.committed'] }
  }

  release(id: string): Expected {
    const prior = this.settled.get(id)
    if (prior === 'released' || prior === 'restocked') return { events: [] }
    if (prior === 'committed') return { rejection: { code: 'already_committed' } }
    const wasHeld = this.held.delete(id)
    this.settled.set(id, 'released')
    return { events: wasHeld ? ['stock.released'] : [] }
  }

  restock(id: string, quantity: number): Expected {
    const prior = this.settled.get(id)
    if (prior === 'restocked') return { events: [] }
    if (prior !== 'committed') return this.release(id)
    if (quantity > this.sold) return { rejection: { code: 'invalid_reservation', reason: 'cannot restock more than was sold' } }
    this.sold -= quantity
    this.settled.set(id, 'restocked')
    return { events: ['stock.restocked'] }
  }

  edit(quantity: number | undefined, price: number | undefined): Expected {
    if (this.sold >= this.quantity) return { rejection: { code: 'listing_closed' } }
    const minimum = Math.max(this.sold + this.reserved(), 1)
    if (quantity !== undefined && quantity < minimum) return { rejection: { code: 'quantity_below_committed', minimum } }
    const changed = (quantity !== undefined && quantity !== this.quantity) || (price !== undefined && price !== this.price)
    this.quantity = quantity ?? this.quantity
    this.price = price ?? this.price
    return { events: changed ? ['listing.updated'] : [] }
  }

  /** The earliest deadline among unbound holds (`expire`) or order-bound ones (`lapse`). */
  earliest(orderBound: boolean): number | undefined {
    const times = [...this.held.values()].filter((h) => h.orderBound === orderBound).map((h) => h.expiresAt)
    return times.length > 0 ? Math.min(...times) : undefined
  }

  expire(now: number): Expected {
    const due = [...this.held].filter(([, h]) => !h.orderBound && h.expiresAt <= now).map(([id]) => id)
    for (const id of due) {
      this.held.delete(id)
      this.settled.set(id, 'released')
    }
    return { events: due.map(() => 'stock.released') }
  }

  dueOrders(now: number): string[] {
    return [...this.held].filter(([, h]) => h.orderBound && h.expiresAt <= now).map(([id]) => id)
  }

  /** What the object does on its alarm, once each order's fate is known. */
  lapse(fate: 'commit' | 'release', now: number): Expected {
    const events: string[] = []
    for (const id of this.dueOrders(now)) {
      const e = fate === 'commit' ? this.commit(id) : this.release(id)
      if ('rejection' in e) return e
      events.push(...e.events)
    }
    return { events }
  }
}

/**
 * The store's record of settled ids (an upsert: the latest outcome wins). The core must only move
 * an id forward: a fresh id settles, and a committed one may become restocked; nothing else.
 */
function remember(store: Map<string, SettledOutcome>, settlements: Settlement[]): void {
  for (const s of settlements) {
    const before = store.get(s.reservationId)
    if (before !== undefined) expect([before, s.outcome], `settling ${s.reservationId} again`).toEqual(['committed', 'restocked'])
    store.set(s.reservationId, s.outcome)
  }
}

const heldOf = (s: ListingState): [string, Held][] =>
  s.reservations.map((r) => {
    if (r.source !== 'checkout' && r.source !== 'offer') throw new Error(`a fixed-price listing holds no ${r.source} reservation`)
    return [r.id, { holderId: r.holderId, quantity: r.quantity, unitPrice: r.unitPrice, expiresAt: Date.parse(r.expiresAt), source: r.source, orderBound: r.orderBound }]
  })

const holderOf = (h: Holder): string => (h === 'seller' ? SELLER : `usr_buyer${h}`)

describe('stock under any sequence of commands (law 1)', () => {
  it('never oversells, moves sold only by commits and restocks, commits and restocks an id at most once, and repeats settled commands silently', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(commandArb, { minLength: 1, maxLength: 60, size: 'max' }), (quantity, commands) => {
        let state = openFixed({ quantity, price: PRICE })
        const model = new StockModel(quantity)
        const store = new Map<string, SettledOutcome>()
        const committedIds = new Set<string>()
        const restockedIds = new Set<string>()
        /** Accepted offers, for claims and their buyers' checkouts to pick from (whether or not the hold still stands). */
        const offers: { id: string; holderId: string; quantity: number; unitPrice: number }[] = []
        const offerOf = (n: number) => offers[n % offers.length]
        /** Who checks out how many at what price: the command's own terms, or those of the accepted offer it names. */
        const checkoutOf = (c: Extract<Command, { kind: 'reserve' }>) => {
          const o = c.offer === null ? undefined : offerOf(c.offer)
          const offered = o?.unitPrice ?? model.price
          const expectedUnitPrice = { unchecked: undefined, current: model.price, original: PRICE, offered }[c.price]
          return { holderId: o?.holderId ?? holderOf(c.holder), quantity: o?.quantity ?? c.quantity, expectedUnitPrice }
        }
        let fresh = 0
        let now = T0.getTime()

        const run = (c: Exclude<Command, { kind: 'line' }>, at: Date, offerId: string, restockQuantity: number): ListingDecision<Rejection> => {
          switch (c.kind) {
            case 'reserve': {
              const id = `ord_${c.id}`
              return reserve(state, { reservationId: id, ...checkoutOf(c), ttlMs: c.ttlMs }, at, store.get(id))
            }
            case 'grant': {
              const made = makeOffer(state, { offerId, buyerId: holderOf(c.holder), unitAmount: { amount: c.amount, currency: 'USD' }, quantity: c.quantity }, at, RULES)
              if (!made.ok) return made
              const taken = respondToOffer(made.state, offerId, SELLER, { kind: 'accept' }, at, { ...RULES, offerCheckoutMs: c.ttlMs })
              if (!taken.ok) throw new Error(`an offer made could not be accepted at once: ${JSON.stringify(taken.rejection)}`)
              return decision(taken.state, [...made.events, ...taken.events])
            }
            case 'claim': {
              // As the object: a claim for an order the store has settled is answered from the store.
              const orderId = `ord_${c.id}`
              const prior = store.get(orderId)
              if (prior === 'committed') return decision(state, [])
              if (prior) return { ok: false, rejection: { code: 'reservation_released' } }
              return claim(state, offerOf(c.hold)?.id ?? 'ofr_none', orderId, at)
            }
            case 'commit':
              return commit(state, `ord_${c.id}`, at, store.get(`ord_${c.id}`))
            case 'release':
              return release(state, `ord_${c.id}`, 'released', at, store.get(`ord_${c.id}`))
            case 'restock':
              return restock(state, `ord_${c.id}`, restockQuantity, at, store.get(`ord_${c.id}`))
            case 'expire':
              return expireReservations(state, at)
            case 'lapse': {
              // As the object's alarm: each lapsed order-bound hold, settled by its order's fate.
              let acc = decision(state, [])
              for (const r of dueOrderReservations(state, at)) {
                const d = c.fate === 'commit' ? commit(acc.state, r.id, at, store.get(r.id)) : release(acc.state, r.id, 'expired', at, store.get(r.id))
                if (!d.ok) return d
                acc = decision(d.state, [...acc.events, ...d.events], [...acc.settlements, ...d.settlements])
              }
              return acc
            }
            case 'edit':
              return updateListing(
                state,
                { actorId: SELLER, expectedVersion: undefined, quantity: c.quantity, price: c.price === undefined ? undefined : { amount: c.price, currency: 'USD' } },
                at,
              )
          }
        }
        const predict = (c: Exclude<Command, { kind: 'line' }>, offerId: string, restockQuantity: number): Expected => {
          switch (c.kind) {
            case 'reserve': {
              const { holderId, quantity, expectedUnitPrice } = checkoutOf(c)
              return model.reserve(`ord_${c.id}`, holderId, quantity, c.ttlMs, expectedUnitPrice, now)
            }
            case 'grant':
              return model.grant(offerId, holderOf(c.holder), c.quantity, c.amount, c.ttlMs, now)
            case 'claim':
              return model.claim(offerOf(c.hold)?.id ?? 'ofr_none', `ord_${c.id}`, now)
            case 'commit':
              return model.commit(`ord_${c.id}`)
            case 'release':
              return model.release(`ord_${c.id}`)
            case 'restock':
              return model.restock(`ord_${c.id}`, restockQuantity)
            case 'expire':
              return model.expire(now)
            case 'lapse':
              return model.lapse(c.fate, now)
            case 'edit':
              return model.edit(c.quantity, c.price)
          }
        }

        for (const c of commands) {
          now += c.waitMs
          if (c.kind === 'expire' && c.atEarliest) now = Math.max(now, model.earliest(false) ?? now)
          if (c.kind === 'lapse' && c.atEarliest) now = Math.max(now, model.earliest(true) ?? now)
          const at = new Date(now)

          // The order-bound holds the object would ask about are the model's, at every step.
          expect(dueOrderReservations(state, at).map((r) => r.id)).toEqual(model.dueOrders(now))

          if (c.kind === 'line') {
            // Reading only: a live hold answers the terms the model holds it at; anything else holds nothing.
            const h = model.held.get(`ord_${c.id}`)
            const want = h && { listingId: LISTING_ID, sellerId: SELLER, title: state.title, currency: 'USD', unitPrice: h.unitPrice, quantity: h.quantity, expiresAt: new Date(h.expiresAt).toISOString(), source: h.source }
            expect(reservedLine(state, `ord_${c.id}`)).toEqual(want)
            continue
          }

          const offerId = `ofr_${++fresh}`
          const id = c.kind === 'reserve' || c.kind === 'claim' || c.kind === 'commit' || c.kind === 'release' || c.kind === 'restock' ? `ord_${c.id}` : undefined
          const restockQuantity = c.kind === 'restock' ? (c.quantity === 'order' ? (model.orderQuantity(`ord_${c.id}`) ?? 1) : c.quantity) : 0
          const outcomeBefore = id === undefined ? undefined : store.get(id)
          const soldBefore = state.sold
          const reservedBefore = reservedQuantity(state)

          const expected = predict(c, offerId, restockQuantity)
          const d = run(c, at, offerId, restockQuantity)
          if ('rejection' in expected) {
            expect(d).toEqual({ ok: false, rejection: expected.rejection })
            continue
          }
          if (!d.ok) throw new Error(`the model accepts ${JSON.stringify(c)}, the code refused: ${JSON.stringify(d.rejection)}`)
          expect(types(d.events)).toEqual(expected.events)
          remember(store, d.settlements)
          // A command on an id already settled says nothing, unless it moves it on (a restock of a committed order).
          if (outcomeBefore !== undefined && store.get(id as string) === outcomeBefore) expect(d.events).toEqual([])
          if (c.kind === 'grant') offers.push({ id: offerId, holderId: holderOf(c.holder), quantity: c.quantity, unitPrice: c.amount })
          state = d.state

          // Law 1 and its corollaries, on the code's own state.
          expect(state.sold + reservedQuantity(state)).toBeLessThanOrEqual(state.quantity)
          expect(state.quantity - state.sold - reservedQuantity(state)).toBeGreaterThanOrEqual(0)
          expect(availableQuantity(state)).toBe(state.quantity - state.sold - reservedQuantity(state))
          expect(state.sold).toBeGreaterThanOrEqual(0)
          // Sold moves only by what is committed and what is restocked.
          const committedNow = eventsOf(d.events, 'stock.committed')
          const restockedNow = eventsOf(d.events, 'stock.restocked')
          const sum = (xs: { data: { quantity: number } }[]) => xs.reduce((n, e) => n + e.data.quantity, 0)
          expect(state.sold).toBe(soldBefore + sum(committedNow) - sum(restockedNow))
          for (const e of committedNow) {
            expect(committedIds.has(e.private.reservationId)).toBe(false)
            committedIds.add(e.private.reservationId)
          }
          for (const e of restockedNow) {
            expect(committedIds.has(e.private.reservationId)).toBe(true)
            expect(restockedIds.has(e.private.reservationId)).toBe(false)
            restockedIds.add(e.private.reservationId)
          }
          // A claim moves a hold, never the stock.
          if (c.kind === 'claim' || eventsOf(d.events, 'stock.claimed').length > 0) expect([state.sold, reservedQuantity(state)]).toEqual([soldBefore, reservedBefore])

          // The same ledger as the model: what is held (in order), what is sold, what the store remembers.
          expect(state.sold).toBe(model.sold)
          expect(state.quantity).toBe(model.quantity)
          expect(state.price).toBe(model.price)
          expect(heldOf(state)).toEqual([...model.held])
          expect(new Set(state.reservations.map((r) => r.id)).size).toBe(state.reservations.length)
          expect(Object.fromEntries(store)).toEqual(Object.fromEntries(model.settled))
          // A live hold is never one the store has settled (else its lapse could never be settled).
          for (const r of state.reservations) expect(store.has(r.id)).toBe(false)

          // A saga repeating the command once its outcome is settled changes nothing and says nothing.
          if (id !== undefined && store.has(id)) {
            const again = run(c, at, offerId, restockQuantity)
            if (!again.ok) throw new Error(`a settled ${c.kind} was accepted once and refused on repeat: ${JSON.stringify(again.rejection)}`)
            expect(again.events).toEqual([])
            expect(again.settlements).toEqual([])
            expect(again.state.sold).toBe(state.sold)
            expect(again.state.reservations).toEqual(state.reservations)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
