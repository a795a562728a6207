import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runDeadlines } from '../../../src/listings/deadlines'
import type { ListingDecision } from '../../../src/listings/listing-decision'
import type { ListingState, Offer } from '../../../src/listings/listing-state'
import { makeOffer, respondToOffer, type OfferRejection } from '../../../src/listings/offers'
import { commit, dueOrderReservations, release, reserve, type SettledOutcome, type StockRejection } from '../../../src/listings/stock'
import { HOUR, MINUTE, openFixed, RULES, SELLER, T0, types } from './fixtures'

/**
 * Offers on a one-unit listing, under any interleaving of offers, answers, counters, expiry and
 * checkouts (the accepted buyer's claims their offer's hold): judged by a model of each offer's
 * status and of the one unit. An accepted offer's hold is unbound and lapses on its deadline; a
 * checkout's is order-bound and waits for its order (commit or release).
 */
const PRICE = 5_000

type Actor = 'seller' | number
type Command =
  | { kind: 'make'; actor: Actor; amount: number; euro: boolean; waitMs: number }
  | { kind: 'accept' | 'decline'; actor: Actor; ref: number; waitMs: number; atExpiry: boolean }
  | { kind: 'counter'; actor: Actor; ref: number; amount: number; waitMs: number; atExpiry: boolean }
  | { kind: 'expire'; waitMs: number; atEarliest: boolean }
  | { kind: 'release' | 'commit'; ref: number; waitMs: number }
  /** Someone checks out the unit (at the price they were quoted, if `price` says): the accepted buyer claims their hold. */
  | { kind: 'checkout'; actor: Actor; price: 'unchecked' | 'asking' | 'stale'; waitMs: number }

const waitArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 30 * MINUTE }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 50 * HOUR }) })
const actorArb: fc.Arbitrary<Actor> = fc.oneof({ weight: 3, arbitrary: fc.constant('seller' as const) }, { weight: 4, arbitrary: fc.nat(2) })
const amountArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: PRICE + 500 }) }, { weight: 1, arbitrary: fc.constant(PRICE) })
/** Sometimes answer exactly when the offer expires: the boundary is part of the rule. */
const atExpiryArb = fc.integer({ min: 0, max: 7 }).map((n) => n === 0)
const refArb = fc.nat(40)

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('make' as const), actor: actorArb, amount: amountArb, euro: fc.integer({ min: 0, max: 14 }).map((n) => n === 0), waitMs: waitArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('accept' as const, 'decline' as const), actor: actorArb, ref: refArb, waitMs: waitArb, atExpiry: atExpiryArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('counter' as const), actor: actorArb, ref: refArb, amount: amountArb, waitMs: waitArb, atExpiry: atExpiryArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), waitMs: waitArb, atEarliest: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('release' as const, 'commit' as const), ref: refArb, waitMs: waitArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('checkout' as const), actor: actorArb, price: fc.constantFrom('unchecked' as const, 'asking' as const, 'stale' as const), waitMs: waitArb }),
  },
)

type ModelOffer = { buyerId: string; from: 'buyer' | 'seller'; status: Offer['status']; expiresAt: number; quantity: number; amount: number }
type ModelHold = { holderId: string; unitPrice: number; expiresAt: number; orderBound: boolean }
type Expected = { rejection: OfferRejection | StockRejection } | { ok: true; events?: string[] }

class OfferModel {
  readonly offers = new Map<string, ModelOffer>()
  /** Reservations by id (an accepted offer's, or an order's), in the order the listing keeps them. */
  held = new Map<string, ModelHold>()
  readonly settled = new Map<string, SettledOutcome>()
  sold = 0

  available(): number {
    return 1 - this.sold - this.held.size
  }

  private closePending(which: (id: string, o: ModelOffer) => boolean, status: Offer['status']): void {
    for (const [id, o] of this.offers) if (o.status === 'pending' && which(id, o)) o.status = status
  }

  make(id: string, buyerId: string, amount: number, euro: boolean, now: number): Expected {
    if (this.sold >= 1) return { rejection: { code: 'listing_closed' } }
    if (buyerId === SELLER) return { rejection: { code: 'own_listing' } }
    if (euro) return { rejection: { code: 'currency_mismatch' } }
    if (amount > PRICE) return { rejection: { code: 'offer_above_price' } }
    if (this.available() < 1) return { rejection: { code: 'sold_out', available: this.available() } }
    this.closePending((_, o) => o.buyerId === buyerId, 'superseded')
    this.offers.set(id, { buyerId, from: 'buyer', status: 'pending', expiresAt: now + RULES.offerTtlMs, quantity: 1, amount })
    return { ok: true }
  }

  respond(id: string, actorId: string, kind: 'accept' | 'decline' | 'counter', counter: { id: string; amount: number }, now: number): Expected {
    const o = this.offers.get(id)
    if (!o || (actorId !== SELLER && actorId !== o.buyerId)) return { rejection: { code: 'offer_not_found' } }
    const answerer = o.from === 'buyer' ? SELLER : o.buyerId
    if (actorId !== answerer) return { rejection: { code: 'not_your_turn' } }
    if (o.status !== 'pending' || o.expiresAt <= now) return { rejection: { code: 'offer_not_pending' } }
    if (this.sold >= 1) return { rejection: { code: 'listing_closed' } }
    if (kind === 'decline') {
      o.status = 'declined'
    } else if (kind === 'counter') {
      if (counter.amount > PRICE) return { rejection: { code: 'offer_above_price' } }
      o.status = 'countered'
      this.offers.set(counter.id, {
        buyerId: o.buyerId,
        from: o.from === 'buyer' ? 'seller' : 'buyer',
        status: 'pending',
        expiresAt: now + RULES.offerTtlMs,
        quantity: o.quantity,
        amount: counter.amount,
      })
    } else {
      if (this.available() < o.quantity) return { rejection: { code: 'sold_out', available: this.available() } }
      o.status = 'accepted'
      this.held.set(id, { holderId: o.buyerId, unitPrice: o.amount, expiresAt: now + RULES.offerCheckoutMs, orderBound: false })
      this.closePending(() => true, 'declined') // one unit: nothing is left for anyone else
    }
    return { ok: true }
  }

  checkout(id: string, holderId: string, expectedUnitPrice: number | undefined, ttlMs: number, now: number): Expected {
    if (holderId === SELLER) return { rejection: { code: 'own_listing' } }
    // The buyer's own unbound hold (their accepted offer): the order takes it over, price, deadline and all.
    // Only a live hold is claimed: one past its deadline is as good as lapsed.
    const own = [...this.held].find(([, h]) => !h.orderBound && h.holderId === holderId && h.expiresAt > now)
    if (own) {
      const [holdId, h] = own
      if (expectedUnitPrice !== undefined && expectedUnitPrice !== h.unitPrice) return { rejection: { code: 'price_changed', unitPrice: h.unitPrice } }
      this.held = new Map([...this.held].map(([k, v]) => (k === holdId ? [id, { ...v, orderBound: true }] : [k, v])))
      return { ok: true, events: ['stock.claimed'] }
    }
    if (this.sold >= 1) return { rejection: { code: 'sold_out', available: 0 } }
    if (this.available() < 1) return { rejection: { code: 'sold_out', available: this.available() } }
    if (expectedUnitPrice !== undefined && expectedUnitPrice !== PRICE) return { rejection: { code: 'price_changed', unitPrice: PRICE } }
    this.held.set(id, { holderId, unitPrice: PRICE, expiresAt: now + ttlMs, orderBound: true })
    return { ok: true, events: ['stock.reserved'] }
  }

  /** When the next pending offer or reservation lapses, if any. */
  earliest(): number | undefined {
    const times = [...[...this.held.values()].map((h) => h.expiresAt), ...[...this.offers.values()].filter((o) => o.status === 'pending').map((o) => o.expiresAt)]
    return times.length > 0 ? Math.min(...times) : undefined
  }

  /** Order-bound holds whose time is up: left for the object to settle by their order's fate. */
  dueOrders(now: number): string[] {
    return [...this.held].filter(([, h]) => h.orderBound && h.expiresAt <= now).map(([id]) => id)
  }

  expire(now: number): Expected {
    for (const [id, { expiresAt, orderBound }] of this.held) {
      if (orderBound || expiresAt > now) continue
      this.held.delete(id)
      if (!this.settled.has(id)) this.settled.set(id, 'released')
    }
    for (const o of this.offers.values()) if (o.status === 'pending' && o.expiresAt <= now) o.status = 'expired'
    return { ok: true }
  }

  release(id: string): Expected {
    const prior = this.settled.get(id)
    if (prior === 'released') return { ok: true }
    if (prior === 'committed') return { rejection: { code: 'already_committed' } }
    this.held.delete(id)
    this.settled.set(id, 'released')
    return { ok: true }
  }

  commit(id: string): Expected {
    const prior = this.settled.get(id)
    if (prior === 'committed') return { ok: true }
    if (prior === 'released') return { rejection: { code: 'reservation_released' } }
    if (!this.held.has(id)) return { rejection: { code: 'reservation_not_found' } }
    this.held.delete(id)
    this.sold += 1
    this.settled.set(id, 'committed')
    // The one unit is sold: every offer still waiting is declined.
    for (const o of this.offers.values()) if (o.status === 'pending') o.status = 'declined'
    return { ok: true }
  }
}

const pendingOf = (s: ListingState) => s.offers.filter((o) => o.status === 'pending')

describe('offers on a one-unit listing, under any sequence of commands', () => {
  it('never accepts two offers at once, closes every other offer on acceptance, and keeps one pending offer per buyer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3 }), fc.array(commandArb, { minLength: 1, maxLength: 50, size: 'max' }), (buyerCount, commands) => {
        const buyers = ['usr_b1', 'usr_b2', 'usr_b3'].slice(0, buyerCount)
        const who = (a: Actor): string => (a === 'seller' ? SELLER : (buyers[a % buyers.length] as string))
        let state = openFixed({ price: PRICE, quantity: 1, acceptsOffers: true })
        const model = new OfferModel()
        const store = new Map<string, SettledOutcome>()
        const ids: string[] = []
        /** Every reservation id there could be: offers' ids and checkouts'. */
        const holds: string[] = []
        let now = T0.getTime()
        let fresh = 0

        for (const c of commands) {
          now += c.waitMs
          const pick = (list: string[], n: number) => (list.length > 0 ? (list[n % list.length] as string) : 'ofr_none')
          const ref = c.kind === 'release' || c.kind === 'commit' ? pick(holds, c.ref) : 'ref' in c ? pick(ids, c.ref) : ''
          if ('atExpiry' in c && c.atExpiry) now = Math.max(now, model.offers.get(ref)?.expiresAt ?? now)
          if (c.kind === 'expire' && c.atEarliest) now = Math.max(now, model.earliest() ?? now)
          const at = new Date(now)
          let expected: Expected
          let d: ListingDecision<OfferRejection | StockRejection>
          let newId: string | undefined
          switch (c.kind) {
            case 'make': {
              newId = `ofr_${++fresh}`
              expected = model.make(newId, who(c.actor), c.amount, c.euro, now)
              d = makeOffer(state, { offerId: newId, buyerId: who(c.actor), unitAmount: { amount: c.amount, currency: c.euro ? 'EUR' : 'USD' }, quantity: 1 }, at, RULES)
              break
            }
            case 'accept':
            case 'decline':
            case 'counter': {
              const counter = { id: `ofr_${++fresh}`, amount: c.kind === 'counter' ? c.amount : 0 }
              if (c.kind === 'counter') newId = counter.id
              expected = model.respond(ref, who(c.actor), c.kind, counter, now)
              const response = c.kind === 'counter' ? { kind: c.kind, counterId: counter.id, unitAmount: { amount: c.amount, currency: 'USD' as const } } : { kind: c.kind }
              d = respondToOffer(state, ref, who(c.actor), response, at, RULES)
              break
            }
            case 'expire':
              expected = model.expire(now)
              d = runDeadlines(state, at, RULES)
              break
            case 'release':
              expected = model.release(ref)
              d = release(state, ref, 'released', at, store.get(ref))
              break
            case 'commit':
              expected = model.commit(ref)
              d = commit(state, ref, at, store.get(ref))
              break
            case 'checkout': {
              const id = `ord_${++fresh}`
              const expectedUnitPrice = { unchecked: undefined, asking: PRICE, stale: PRICE - 1 }[c.price]
              expected = model.checkout(id, who(c.actor), expectedUnitPrice, 30 * MINUTE, now)
              d = reserve(state, { reservationId: id, holderId: who(c.actor), quantity: 1, ttlMs: 30 * MINUTE, expectedUnitPrice }, at, store.get(id))
              if (d.ok) holds.push(id)
              break
            }
          }

          if ('rejection' in expected) {
            expect(d).toEqual({ ok: false, rejection: expected.rejection })
            continue
          }
          if (!d.ok) throw new Error(`the model accepts ${JSON.stringify(c)} on ${ref}, the code refused: ${JSON.stringify(d.rejection)}`)
          if (expected.events) expect(types(d.events)).toEqual(expected.events)
          for (const s of d.settlements) if (!store.has(s.reservationId)) store.set(s.reservationId, s.outcome)
          if (newId) ids.push(newId)
          if (newId) holds.push(newId)
          state = d.state

          // The laws of this test, on the code's own state.
          const standing = state.offers.filter((o) => o.status === 'accepted' && state.reservations.some((r) => r.id === o.id))
          expect(standing.length).toBeLessThanOrEqual(1)
          expect(state.sold + state.reservations.reduce((n, r) => n + r.quantity, 0)).toBeLessThanOrEqual(1)
          if (c.kind === 'accept') expect(pendingOf(state)).toEqual([])
          for (const b of buyers) expect(pendingOf(state).filter((o) => o.buyerId === b).length).toBeLessThanOrEqual(1)

          // Each offer event carries the offer as it now stands: the offers read model applies it whole.
          for (const e of d.events) {
            if (!e.type.startsWith('offer.')) continue
            const carried = 'offer' in e.private ? e.private.offer : undefined
            const o = state.offers.find((x) => x.id === carried?.id)
            expect(o, `${e.type} carries an offer the state holds`).toBeDefined()
            expect(carried).toEqual({
              id: o?.id,
              listingId: state.id,
              buyerId: o?.buyerId,
              sellerId: SELLER,
              from: o?.from,
              amount: { amount: o?.unitAmount, currency: state.currency },
              quantity: o?.quantity,
              status: o?.status,
              counters: o?.counters,
              createdAt: o?.createdAt,
              expiresAt: o?.expiresAt,
            })
          }

          // And the model's view of every offer and of the unit.
          expect(Object.fromEntries(state.offers.map((o) => [o.id, o.status]))).toEqual(Object.fromEntries([...model.offers].map(([id, o]) => [id, o.status])))
          expect(Object.fromEntries(state.offers.map((o) => [o.id, [o.buyerId, o.from]]))).toEqual(Object.fromEntries([...model.offers].map(([id, o]) => [id, [o.buyerId, o.from]])))
          expect(state.reservations.map((r) => [r.id, { holderId: r.holderId, unitPrice: r.unitPrice, expiresAt: Date.parse(r.expiresAt), orderBound: r.orderBound }])).toEqual([
            ...model.held,
          ])
          expect(state.sold).toBe(model.sold)
          expect(dueOrderReservations(state, at).map((r) => r.id)).toEqual(model.dueOrders(now))
        }
      }),
      { numRuns: 300 },
    )
  })
})
