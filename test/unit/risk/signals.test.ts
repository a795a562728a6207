import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bidSignals, listingSignals, payoutSignals, registrationSignals } from '../../../src/risk/action-signals'
import { admitToHistory, REMEMBERED_AMOUNTS, type BuyerHistory } from '../../../src/risk/buyer-history'
import { checkoutSignals } from '../../../src/risk/checkout-signals'
import { countEvents, MAX_SIGNAL_ENTRIES, type SignalLog } from '../../../src/risk/signal-log'

const HOUR = 3_600_000
const T0 = Date.parse('2026-06-01T00:00:00Z')

describe('countEvents', () => {
  it('counts the kind’s events before this one in an hour and a day, and distinct subjects with this one', () => {
    let log: SignalLog = []
    const at = (h: number, id: string, subject: string, kind: 'checkout' | 'payout' = 'checkout') => {
      const r = countEvents(log, { kind, id, subject }, T0 + h * HOUR)
      log = r.log
      return r.counts
    }
    expect(at(0, 'a', 'u1')).toEqual({ lastHour: 0, lastDay: 0, subjectsLastDay: 1 })
    expect(at(0.5, 'b', 'u2')).toEqual({ lastHour: 1, lastDay: 1, subjectsLastDay: 2 })
    expect(at(0.6, 'p', 'u3', 'payout')).toEqual({ lastHour: 0, lastDay: 0, subjectsLastDay: 1 })
    expect(at(2, 'c', 'u1')).toEqual({ lastHour: 0, lastDay: 2, subjectsLastDay: 2 })
    // A retry of b (same id) counts once, and keeps its first time.
    expect(at(2.1, 'b', 'u2')).toEqual({ lastHour: 1, lastDay: 2, subjectsLastDay: 2 })
    // A day after a, it has left the window; b and c have not.
    expect(at(24.2, 'd', 'u9')).toEqual({ lastHour: 0, lastDay: 2, subjectsLastDay: 3 })
    expect(at(24.6, 'e', 'u9')).toEqual({ lastHour: 1, lastDay: 2, subjectsLastDay: 2 })
  })

  it('never keeps more than its bound, nor anything older than a day (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2 * HOUR }), id: fc.integer({ min: 0, max: 3000 }) }), { maxLength: 200 }), (steps) => {
        let log: SignalLog = []
        let now = T0
        for (const s of steps) {
          now += s.gap
          log = countEvents(log, { kind: 'checkout', id: String(s.id), subject: 'u' }, now).log
          expect(log.length).toBeLessThanOrEqual(MAX_SIGNAL_ENTRIES)
          for (const e of log) expect(e.at).toBeGreaterThan(now - 24 * HOUR)
        }
      }),
    )
  })
})

describe('admitToHistory', () => {
  it('answers the buyer’s counts and the median of their past checkouts, then remembers this one', () => {
    let h: BuyerHistory = { checkouts: [], amounts: [] }
    const admit = (orderId: string, amount: number, card: string, hours: number) => {
      const r = admitToHistory(h, { orderId, amount, card }, T0 + hours * HOUR)
      h = r.history
      return r.signals
    }
    expect(admit('o1', 1_000, 'card:a', 0)).toEqual({ checkouts1h: 0, checkouts24h: 0, cards24h: 1, pastCheckouts: 0, medianAmount: 0 })
    expect(admit('o2', 3_000, 'card:b', 0.2)).toEqual({ checkouts1h: 1, checkouts24h: 1, cards24h: 2, pastCheckouts: 1, medianAmount: 1_000 })
    // The same order again (a retry) is not its own history.
    expect(admit('o2', 3_000, 'card:b', 0.3)).toEqual({ checkouts1h: 1, checkouts24h: 1, cards24h: 2, pastCheckouts: 1, medianAmount: 1_000 })
    expect(admit('o3', 50_000, 'card:a', 3)).toMatchObject({ checkouts1h: 0, checkouts24h: 2, cards24h: 2, pastCheckouts: 2, medianAmount: 2_000 })
  })

  it('remembers a bounded number of amounts', () => {
    let h: BuyerHistory = { checkouts: [], amounts: [] }
    for (let i = 0; i < REMEMBERED_AMOUNTS + 10; i++) h = admitToHistory(h, { orderId: `o${i}`, amount: i, card: 'c' }, T0 + i).history
    expect(h.amounts).toHaveLength(REMEMBERED_AMOUNTS)
    expect(h.amounts[0]?.orderId).toBe('o10')
  })
})

describe('signals of each action', () => {
  const counts = { lastHour: 2, lastDay: 5, subjectsLastDay: 3 }

  it('takes checkout signals from the buyer, the shards and the countries, with the anomaly score', () => {
    const s = checkoutSignals({
      amount: 20_000,
      accountCreatedMs: T0 - 10 * 24 * HOUR,
      nowMs: T0,
      buyer: { checkouts1h: 1, checkouts24h: 4, cards24h: 2, pastCheckouts: 6, medianAmount: 2_000 },
      hasSecondFactor: true,
      ip: counts,
      device: null,
      card: { lastHour: 0, lastDay: 1, subjectsLastDay: 2 },
      shippingCountry: 'FR',
      ipCountry: 'US',
    })
    expect(s).toMatchObject({ amount: 20_000, account_age_days: 10, buyer_checkouts_1h: 1, buyer_cards_24h: 2, amount_vs_buyer_median: 10, ip_checkouts_1h: 2, ip_buyers_24h: 3, device_buyers_24h: 0, card_buyers_24h: 2, country_mismatch: true, has_second_factor: true })
    expect(s.anomaly_score).toBeGreaterThan(60)
  })

  it('sees no country mismatch when either country is unknown, and no history as a ratio of 0', () => {
    const base = { amount: 1, accountCreatedMs: T0, nowMs: T0, buyer: { checkouts1h: 0, checkouts24h: 0, cards24h: 1, pastCheckouts: 0, medianAmount: 0 }, hasSecondFactor: false, ip: null, device: null, card: null }
    expect(checkoutSignals({ ...base, shippingCountry: 'FR', ipCountry: null })).toMatchObject({ country_mismatch: false, amount_vs_buyer_median: 0, card_buyers_24h: 1 })
  })

  it('takes payout, listing and registration signals from the user’s and the origin’s shards', () => {
    expect(payoutSignals({ user: counts, ip: counts, device: null, amount: 5, accountCreatedMs: T0 - 3 * 24 * HOUR, nowMs: T0 })).toEqual({ amount: 5, account_age_days: 3, payouts_24h: 5, ip_accounts_24h: 3 })
    expect(listingSignals({ user: counts, ip: null, device: null, price: 9, accountCreatedMs: T0, nowMs: T0 })).toEqual({ price: 9, account_age_days: 0, seller_listings_1h: 2, ip_sellers_24h: 0 })
    expect(registrationSignals({ user: null, ip: counts, device: counts })).toEqual({ ip_registrations_1h: 2, ip_registrations_24h: 5, device_registrations_24h: 5 })
  })

  it('marks shill bidding only when the bidder shares a known address or device with the seller', () => {
    const bid = (seller: { ip: string | null; device: string | null } | null, bidder: { ip: string | null; device: string | null }) => bidSignals({ amount: 1, accountCreatedMs: T0, nowMs: T0, seller, bidder })
    expect(bid({ ip: 'ip:1', device: 'device:1' }, { ip: 'ip:1', device: 'device:2' })).toMatchObject({ shares_ip_with_seller: true, shares_device_with_seller: false })
    expect(bid({ ip: 'ip:1', device: 'device:1' }, { ip: 'ip:2', device: 'device:1' })).toMatchObject({ shares_ip_with_seller: false, shares_device_with_seller: true })
    // Unknown on either side is never a match (null is not an address).
    expect(bid({ ip: null, device: null }, { ip: null, device: null })).toMatchObject({ shares_ip_with_seller: false, shares_device_with_seller: false })
    expect(bid(null, { ip: 'ip:1', device: 'device:1' })).toMatchObject({ shares_ip_with_seller: false, shares_device_with_seller: false })
  })
})
