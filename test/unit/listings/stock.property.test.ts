import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ListingDecision } from '../../../src/listings/listing-decision'
import type { Settlement } from '../../../src/listings/listing-events'
import { updateListing, type UpdateRejection } from '../../../src/listings/listing-lifecycle'
import { availableQuantity, reservedQuantity, type ListingState } from '../../../src/listings/listing-state'
import { commit, expireReservations, release, reserve, type SettledOutcome, type StockRejection } from '../../../src/listings/stock'
import { eventsOf, HOUR, MINUTE, openFixed, SELLER, T0, types } from './fixtures'

/**
 * Law 1 (no oversell) and idempotency by reservation id, over any sequence of reserve, commit,
 * release and expiry, judged by a model that keeps its own ledger of held, sold and settled units.
 */
type Command =
  | { kind: 'reserve'; id: number; holder: number | 'seller'; quantity: number; ttlMs: number; waitMs: number }
  | { kind: 'commit'; id: number; waitMs: number }
  | { kind: 'release'; id: number; waitMs: number }
  | { kind: 'expire'; waitMs: number; atEarliest: boolean }
  /** The seller edits the quantity, which must never go under what is sold and held. */
  | { kind: 'edit'; quantity: number; waitMs: number }

const waitArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 5 * MINUTE }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 * HOUR }) })
const idArb = fc.nat(5)
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      id: idArb,
      holder: fc.oneof({ weight: 8, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constant('seller' as const) }),
      quantity: fc.integer({ min: 1, max: 4 }),
      ttlMs: fc.integer({ min: MINUTE, max: HOUR }),
      waitMs: waitArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), id: idArb, waitMs: waitArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), id: idArb, waitMs: waitArb }) },
  // Sometimes exactly when the earliest reservation lapses: the boundary is part of the rule.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), waitMs: waitArb, atEarliest: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('edit' as const), quantity: fc.integer({ min: 0, max: 8 }), waitMs: waitArb }) },
)

type Held = { holderId: string; quantity: number; expiresAt: number }
type Expected = { rejection: StockRejection | UpdateRejection } | { events: string[] }

class StockModel {
  readonly held = new Map<string, Held>()
  readonly settled = new Map<string, SettledOutcome>()
  sold = 0
  constructor(public quantity: number) {}

  reserved(): number {
    return [...this.held.values()].reduce((n, h) => n + h.quantity, 0)
  }

  private settle(id: string, outcome: SettledOutcome): void {
    if (!this.settled.has(id)) this.settled.set(id, outcome)
  }

  reserve(id: string, holderId: string, quantity: number, ttlMs: number, now: number): Expected {
    const prior = this.settled.get(id)
    if (prior === 'committed') return { events: [] }
    if (prior === 'released') return { rejection: { code: 'reservation_released' } }
    const held = this.held.get(id)
    if (held) return held.holderId === holderId && held.quantity === quantity ? { events: [] } : { rejection: { code: 'reservation_conflict' } }
    if (holderId === SELLER) return { rejection: { code: 'own_listing' } }
    if (this.sold >= this.quantity) return { rejection: { code: 'sold_out', available: 0 } }
    const available = this.quantity - this.sold - this.reserved()
    if (quantity > available) return { rejection: { code: 'sold_out', available } }
    this.held.set(id, { holderId, quantity, expiresAt: now + ttlMs })
    return { events: ['stock.reserved'] }
  }

  commit(id: string): Expected {
    const prior = this.settled.get(id)
    if (prior === 'committed') return { events: [] }
    if (prior === 'released') return { rejection: { code: 'reservation_released' } }
    const held = this.held.get(id)
    if (!held) return { rejection: { code: 'reservation_not_found' } }
    this.held.delete(id)
    this.sold += held.quantity
    this.settle(id, 'committed')
    return { events: this.sold >= this.quantity ? ['stock.committed', 'listing.sold_out'] : ['stock.committed'] }
  }

  release(id: string): Expected {
    const prior = this.settled.get(id)
    if (prior === 'released') return { events: [] }
    if (prior === 'committed') return { rejection: { code: 'already_committed' } }
    const wasHeld = this.held.delete(id)
    this.settle(id, 'released')
    return { events: wasHeld ? ['stock.released'] : [] }
  }

  edit(quantity: number): Expected {
    if (this.sold >= this.quantity) return { rejection: { code: 'listing_closed' } }
    const minimum = Math.max(this.sold + this.reserved(), 1)
    if (quantity < minimum) return { rejection: { code: 'quantity_below_committed', minimum } }
    if (quantity === this.quantity) return { events: [] }
    this.quantity = quantity
    return { events: ['listing.updated'] }
  }

  expire(now: number): Expected {
    const due = [...this.held.entries()].filter(([, h]) => h.expiresAt <= now).map(([id]) => id)
    for (const id of due) {
      this.held.delete(id)
      this.settle(id, 'released')
    }
    return { events: due.map(() => 'stock.released') }
  }
}

/** The store's record of settled ids: the first outcome written for an id stays (INSERT OR IGNORE). */
function remember(store: Map<string, SettledOutcome>, settlements: Settlement[]): void {
  for (const s of settlements) if (!store.has(s.reservationId)) store.set(s.reservationId, s.outcome)
}

const heldOf = (s: ListingState) =>
  Object.fromEntries(s.reservations.map((r) => [r.id, { holderId: r.holderId, quantity: r.quantity, expiresAt: Date.parse(r.expiresAt) }]))

describe('stock under any sequence of commands (law 1)', () => {
  it('never oversells, only ever adds to sold, commits an id at most once, and repeats settled commands silently', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(commandArb, { minLength: 1, maxLength: 60, size: 'max' }), (quantity, commands) => {
        let state = openFixed({ quantity, price: 2_000 })
        const model = new StockModel(quantity)
        const store = new Map<string, SettledOutcome>()
        const committedIds = new Set<string>()
        let now = T0.getTime()

        const run = (c: Command, at: Date): ListingDecision<StockRejection | UpdateRejection> => {
          switch (c.kind) {
            case 'reserve': {
              const holderId = c.holder === 'seller' ? SELLER : `usr_buyer${c.holder}`
              const id = `ord_${c.id}`
              return reserve(state, { reservationId: id, holderId, quantity: c.quantity, ttlMs: c.ttlMs }, at, store.get(id))
            }
            case 'commit':
              return commit(state, `ord_${c.id}`, at, store.get(`ord_${c.id}`))
            case 'release':
              return release(state, `ord_${c.id}`, 'released', at, store.get(`ord_${c.id}`))
            case 'expire':
              return expireReservations(state, at)
            case 'edit':
              return updateListing(state, { actorId: SELLER, expectedVersion: undefined, quantity: c.quantity }, at)
          }
        }
        const predict = (c: Command): Expected => {
          switch (c.kind) {
            case 'reserve':
              return model.reserve(`ord_${c.id}`, c.holder === 'seller' ? SELLER : `usr_buyer${c.holder}`, c.quantity, c.ttlMs, now)
            case 'commit':
              return model.commit(`ord_${c.id}`)
            case 'release':
              return model.release(`ord_${c.id}`)
            case 'expire':
              return model.expire(now)
            case 'edit':
              return model.edit(c.quantity)
          }
        }

        for (const c of commands) {
          now += c.waitMs
          if (c.kind === 'expire' && c.atEarliest && model.held.size > 0) now = Math.max(now, Math.min(...[...model.held.values()].map((h) => h.expiresAt)))
          const at = new Date(now)
          const id = c.kind === 'expire' || c.kind === 'edit' ? undefined : `ord_${c.id}`
          const settledBefore = id !== undefined && store.has(id)
          const soldBefore = state.sold

          const expected = predict(c)
          const d = run(c, at)
          if ('rejection' in expected) {
            expect(d).toEqual({ ok: false, rejection: expected.rejection })
            continue
          }
          if (!d.ok) throw new Error(`the model accepts ${JSON.stringify(c)}, the code refused: ${JSON.stringify(d.rejection)}`)
          expect(types(d.events)).toEqual(expected.events)
          if (settledBefore) expect(d.events).toEqual([])
          remember(store, d.settlements)
          state = d.state

          // Law 1 and its corollaries, on the code's own state.
          expect(state.sold + reservedQuantity(state)).toBeLessThanOrEqual(state.quantity)
          expect(state.quantity - state.sold - reservedQuantity(state)).toBeGreaterThanOrEqual(0)
          expect(availableQuantity(state)).toBe(state.quantity - state.sold - reservedQuantity(state))
          expect(state.sold).toBeGreaterThanOrEqual(soldBefore)
          for (const e of eventsOf(d.events, 'stock.committed')) {
            expect(committedIds.has(e.private.reservationId)).toBe(false)
            committedIds.add(e.private.reservationId)
          }

          // The same ledger as the model: what is held, what is sold, what the store remembers.
          expect(state.sold).toBe(model.sold)
          expect(state.quantity).toBe(model.quantity)
          expect(heldOf(state)).toEqual(Object.fromEntries(model.held))
          expect(new Set(state.reservations.map((r) => r.id)).size).toBe(state.reservations.length)
          expect(Object.fromEntries(store)).toEqual(Object.fromEntries(model.settled))

          // A saga repeating the command once its outcome is settled changes nothing and says nothing.
          if (id !== undefined && store.has(id)) {
            const again = run(c, at)
            if (!again.ok) throw new Error(`a settled ${c.kind} was accepted once and refused on repeat: ${JSON.stringify(again.rejection)}`)
            expect(again.events).toEqual([])
            expect(again.state.sold).toBe(state.sold)
            expect(again.state.reservations).toEqual(state.reservations)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
