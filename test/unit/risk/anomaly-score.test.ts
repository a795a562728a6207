import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anomalyScore, median, type ScoreInputs } from '../../../src/risk/anomaly-score'

const ordinary: ScoreInputs = { amount: 2_500, account_age_days: 400, buyer_cards_24h: 1, amount_vs_buyer_median: 1.1, ip_buyers_24h: 1, device_buyers_24h: 0, card_buyers_24h: 1, country_mismatch: false }

const inputs = fc.record({
  amount: fc.integer({ min: 1, max: 10_000_000 }),
  account_age_days: fc.integer({ min: 0, max: 5000 }),
  buyer_cards_24h: fc.integer({ min: 1, max: 20 }),
  amount_vs_buyer_median: fc.double({ min: 0, max: 1000, noNaN: true }),
  ip_buyers_24h: fc.integer({ min: 1, max: 50 }),
  device_buyers_24h: fc.integer({ min: 0, max: 50 }),
  card_buyers_24h: fc.integer({ min: 1, max: 50 }),
  country_mismatch: fc.boolean(),
})

describe('anomalyScore', () => {
  it('scores an ordinary checkout near nothing (a little above the buyer’s usual counts a little)', () => {
    expect(anomalyScore(ordinary)).toBe(1)
    expect(anomalyScore({ ...ordinary, amount_vs_buyer_median: 1 })).toBe(0)
  })

  it('scores the classic fraud shape high: new account, ten times the usual, three cards, abroad', () => {
    expect(anomalyScore({ ...ordinary, account_age_days: 0, amount: 100_000, amount_vs_buyer_median: 10, buyer_cards_24h: 3, country_mismatch: true })).toBe(95)
  })

  it('stays within 0..100 (property)', () => {
    fc.assert(fc.property(inputs, (s) => { const v = anomalyScore(s); expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(100) }))
  })

  it('never falls when a suspicious signal grows (property)', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom('amount', 'buyer_cards_24h', 'amount_vs_buyer_median', 'ip_buyers_24h', 'device_buyers_24h', 'card_buyers_24h'), fc.integer({ min: 1, max: 1000 }), (s, key, more) => {
        expect(anomalyScore({ ...s, [key]: s[key] + more })).toBeGreaterThanOrEqual(anomalyScore(s))
      }),
    )
    fc.assert(fc.property(inputs, fc.integer({ min: 1, max: 100 }), (s, older) => { expect(anomalyScore({ ...s, account_age_days: s.account_age_days + older })).toBeLessThanOrEqual(anomalyScore(s)) }))
  })
})

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBe(0)
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})
