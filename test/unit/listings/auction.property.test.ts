import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Money } from '../../../src/core/money'
import { bidFloor, buyNowAvailable, endAuction, placeBid, reserveMet, type BidRejection, type PlaceBid } from '../../../src/listings/auction'
import type { ListingEvent } from '../../../src/events/contract/listing-events'
import type { AuctionState, ListingState } from '../../../src/listings/listing-state'
import { at, bid, eventsOf, HOUR, MINUTE, openAuction, RULES, SELLER, T0, usd } from './fixtures'

/**
 * Proxy bidding judged by a reference model that knows nothing of the code's state: it keeps
 * every bidder's latest maximum and derives leader, price, minimum and Buy It Now from them.
 */

// eBay US increments, written out again so the model does not borrow the code's table.
function increment(price: number): number {
  if (price < 100) return 5
  if (price < 500) return 25
  if (price < 2_500) return 50
  if (price < 10_000) return 100
  if (price < 25_000) return 250
  if (price < 50_000) return 500
  if (price < 100_000) return 1_000
  if (price < 250_000) return 2_500
  if (price < 500_000) return 5_000
  return 10_000
}

type Terms = { startingBid: number; reservePrice: number | null; buyNowPrice: number | null }
type Max = { bidderId: string; amount: number; order: number }

class AuctionModel {
  private readonly maxes = new Map<string, Max>()
  private order = 0
  bidCount = 0

  constructor(
    private readonly terms: Terms,
    public endsAt: number,
  ) {}

  /** Highest maximum first; of two equal ones, the earlier. */
  ranked(): Max[] {
    return [...this.maxes.values()].sort((x, y) => y.amount - x.amount || x.order - y.order)
  }

  leader(): Max | undefined {
    return this.ranked()[0]
  }

  price(): number {
    const [top, second] = this.ranked()
    if (!top) return this.terms.startingBid
    const competitive = second ? Math.min(top.amount, second.amount + increment(second.amount)) : this.terms.startingBid
    const { reservePrice } = this.terms
    return reservePrice !== null && top.amount >= reservePrice ? Math.max(competitive, reservePrice) : competitive
  }

  minimumFor(bidderId: string): number {
    const top = this.leader()
    if (!top) return this.terms.startingBid
    if (top.bidderId === bidderId) return top.amount + 1
    const price = this.price()
    return price + increment(price)
  }

  reserveMet(): boolean {
    const top = this.leader()
    return this.terms.reservePrice !== null && top !== undefined && top.amount >= this.terms.reservePrice
  }

  buyNowAvailable(): boolean {
    if (this.terms.buyNowPrice === null) return false
    return this.terms.reservePrice === null ? this.bidCount === 0 : !this.reserveMet()
  }

  /** What the rules say about this bid, before it is applied. */
  judge(cmd: PlaceBid, now: number): BidRejection | null {
    if (now >= this.endsAt) return { code: 'auction_ended' }
    if (cmd.bidderId === SELLER) return { code: 'own_listing' }
    if (cmd.maxAmount.currency !== 'USD') return { code: 'currency_mismatch' }
    const minimum = this.minimumFor(cmd.bidderId)
    if (cmd.maxAmount.amount < minimum) {
      const top = this.leader()
      const price = this.price()
      return {
        code: 'bid_too_low',
        minimum: usd(minimum),
        floor: usd(top ? price + 1 : this.terms.startingBid),
        newBidderMinimum: usd(top ? price + increment(price) : this.terms.startingBid),
      }
    }
    return null
  }

  apply(cmd: PlaceBid, now: number): void {
    const leaderBefore = this.leader()?.bidderId
    const priceBefore = this.price()
    this.order += 1
    this.bidCount += 1
    this.maxes.set(cmd.bidderId, { bidderId: cmd.bidderId, amount: cmd.maxAmount.amount, order: this.order })
    // Only a bid that moves the price or the lead extends the end.
    const contested = this.leader()?.bidderId !== leaderBefore || this.price() > priceBefore
    if (contested && now + RULES.softCloseMs > this.endsAt) this.endsAt = now + RULES.softCloseMs
  }
}

/** Every number anywhere inside `value`. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value]
  if (Array.isArray(value)) return value.flatMap(numbersIn)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersIn)
  return []
}

const stepArb = fc.record({
  /** A bidder index (taken modulo the number of bidders), or the seller. */
  who: fc.oneof({ weight: 12, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.constant('seller' as const) }),
  amount: fc.oneof(
    // Near the model's minimum for this bidder, a little under or anywhere above.
    { weight: 4, arbitrary: fc.record({ nearMinimum: fc.integer({ min: -40, max: 8_000 }) }) },
    { weight: 1, arbitrary: fc.record({ absolute: fc.integer({ min: 1, max: 200_000 }) }) },
    // Exactly a maximum already standing, or exactly the reserve: ties and thresholds.
    { weight: 1, arbitrary: fc.record({ exactly: fc.constantFrom('leader' as const, 'runnerUp' as const, 'reserve' as const) }) },
  ),
  euro: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  waitMs: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 3 * MINUTE }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: HOUR }) }),
  /** Sometimes land exactly on the end, or exactly where the soft-close window opens (never back in time). */
  landOn: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('end' as const, 'window' as const) }),
})

const scenarioArb = fc.record({
  startingBid: fc.integer({ min: 1, max: 20_000 }),
  reserveOver: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null }),
  buyNowOver: fc.option(fc.integer({ min: 1, max: 30_000 }), { nil: null }),
  durationMs: fc.integer({ min: 5 * MINUTE, max: 2 * HOUR }),
  bidders: fc.integer({ min: 2, max: 4 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'max' }),
})

const auctionOf = (s: ListingState): AuctionState => {
  if (!s.auction) throw new Error('not an auction')
  return s.auction
}

describe('proxy bidding against a reference model (law 6)', () => {
  it('agrees with the model on every bid: acceptance, minimum, leader, price, end, Buy It Now and what events reveal', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const reservePrice = sc.reserveOver === null ? null : sc.startingBid + sc.reserveOver
        const buyNowPrice = sc.buyNowOver === null ? null : Math.max(sc.startingBid, reservePrice ?? 0) + sc.buyNowOver
        const terms = { startingBid: sc.startingBid, reservePrice, buyNowPrice }
        let state = openAuction(terms, sc.durationMs)
        const model = new AuctionModel(terms, T0.getTime() + sc.durationMs)
        const bidderIds = ['usr_a', 'usr_b', 'usr_c', 'usr_d'].slice(0, sc.bidders)
        let now = T0.getTime() + MINUTE
        const amountFor = (choice: (typeof sc.steps)[number]['amount'], bidderId: string): number => {
          if ('absolute' in choice) return choice.absolute
          if ('nearMinimum' in choice) return Math.max(1, model.minimumFor(bidderId) + choice.nearMinimum)
          const [top, second] = model.ranked()
          if (choice.exactly === 'leader') return top?.amount ?? sc.startingBid
          if (choice.exactly === 'runnerUp') return second?.amount ?? top?.amount ?? sc.startingBid
          return reservePrice ?? sc.startingBid
        }

        for (const step of sc.steps) {
          now += step.waitMs
          if (step.landOn) now = Math.max(now, step.landOn === 'end' ? model.endsAt : model.endsAt - RULES.softCloseMs)
          const bidderId = step.who === 'seller' ? SELLER : (bidderIds[step.who % bidderIds.length] as string)
          const amount = amountFor(step.amount, bidderId)
          const maxAmount: Money = { amount, currency: step.euro ? 'EUR' : 'USD' }
          const cmd = bid(bidderId, maxAmount)
          const before = auctionOf(state)
          const floor = bidFloor(before)
          const previousLeader = model.leader()?.bidderId
          const expected = model.judge(cmd, now)

          const d = placeBid(state, cmd, new Date(now), RULES)
          if (expected) {
            expect(d).toEqual({ ok: false, rejection: expected })
            continue
          }
          if (!d.ok) throw new Error(`the model accepts ${JSON.stringify(cmd)} but the code refused: ${JSON.stringify(d.rejection)}`)
          model.apply(cmd, now)
          const a = auctionOf(d.state)
          const leader = model.leader()
          if (!leader || !a.leader) throw new Error('an accepted bid left no leader')

          // The edge may refuse anything under the floor: so nothing under it may ever be accepted.
          expect(amount).toBeGreaterThanOrEqual(floor)
          expect(a.currentPrice).toBeGreaterThanOrEqual(before.currentPrice)
          expect(a.currentPrice).toBeLessThanOrEqual(a.leader.maxAmount)
          expect({ bidderId: a.leader.bidderId, maxAmount: a.leader.maxAmount }).toEqual({ bidderId: leader.bidderId, maxAmount: leader.amount })
          expect(a.currentPrice).toBe(model.price())
          expect(a.bidCount).toBe(model.bidCount)
          expect(reserveMet(a)).toBe(model.reserveMet())
          expect(buyNowAvailable(a)).toBe(model.buyNowAvailable())

          // Soft close: the end never moves back, and moves exactly when a bid that moves the price or
          // the lead lands in the window.
          expect(Date.parse(a.endsAt)).toBe(model.endsAt)
          expect(Date.parse(a.endsAt)).toBeGreaterThanOrEqual(Date.parse(before.endsAt))
          const extended = eventsOf(d.events, 'auction.extended')
          expect(extended.length).toBe(a.endsAt !== before.endsAt ? 1 : 0)
          const contested = previousLeader !== leader.bidderId || a.currentPrice > before.currentPrice
          expect(a.endsAt !== before.endsAt).toBe(contested && now + RULES.softCloseMs > Date.parse(before.endsAt))

          // Who was outbid, privately.
          const [placed, ...more] = eventsOf(d.events, 'bid.placed')
          expect(more).toEqual([])
          const outbid = previousLeader !== leader.bidderId ? (previousLeader ? [previousLeader] : []) : bidderId === leader.bidderId ? [] : [bidderId]
          expect(placed?.private).toEqual({ bidderId, maxAmount, leaderId: leader.bidderId, outbidIds: outbid })
          expect(placed?.data.leaderChanged).toBe(previousLeader !== leader.bidderId)

          // Public data: the price and the count are its only numbers; no user id, no maximum.
          expectPublic(d.events, a, bidderIds)
          state = d.state
        }

        // The end: the model's leader wins at the model's price, or nobody does.
        const end = Math.max(now, model.endsAt)
        const ended = endAuction(state, new Date(end), RULES)
        const leader = model.leader()
        const outcome = !leader ? 'no_bids' : reservePrice !== null && !model.reserveMet() ? 'reserve_not_met' : 'sold'
        expect(ended.state.auction?.outcome).toBe(outcome)
        expect(ended.state.reservations.map((r) => [r.holderId, r.unitPrice])).toEqual(outcome === 'sold' && leader ? [[leader.bidderId, model.price()]] : [])
        expectPublic(ended.events, auctionOf(ended.state), bidderIds)
      }),
      { numRuns: 300 },
    )
  })
})

function expectPublic(events: ListingEvent[], a: AuctionState, bidderIds: string[]): void {
  const allowed = new Set([a.currentPrice, a.bidCount])
  for (const e of events) {
    const text = JSON.stringify(e.data)
    expect(text).not.toContain('usr_')
    expect(text).not.toContain('maxAmount')
    for (const id of [SELLER, ...bidderIds]) expect(text).not.toContain(id)
    if (e.type === 'bid.placed') {
      expect(Object.keys(e.data).sort()).toEqual(['bidCount', 'bidId', 'bidder', 'currentPrice', 'endsAt', 'leaderChanged'])
      for (const n of numbersIn(e.data)) expect(allowed.has(n)).toBe(true)
    }
  }
}

describe('the model itself', () => {
  // A model that agrees with a broken rule proves nothing: pin it to hand-computed cases.
  it('prices two bidders one increment over the second maximum, lifted to a met reserve', () => {
    const m = new AuctionModel({ startingBid: 1_000, reservePrice: 6_000, buyNowPrice: null }, at(HOUR).getTime())
    m.apply(bid('usr_a', 7_000), T0.getTime())
    expect(m.price()).toBe(6_000)
    m.apply(bid('usr_b', 6_500), T0.getTime())
    expect(m.price()).toBe(6_600)
    m.apply(bid('usr_c', 7_000), T0.getTime())
    expect([m.leader()?.bidderId, m.price()]).toEqual(['usr_a', 7_000])
  })
})
