import type { Signals } from './risk-signals'

export type ScoreInputs = Omit<Signals<'checkout'>, 'anomaly_score' | 'has_second_factor' | 'buyer_checkouts_1h' | 'buyer_checkouts_24h' | 'ip_checkouts_1h' | 'buyer_past_checkouts'>

const clamp01 = (x: number) => Math.min(1, Math.max(0, x))

/**
 * How unlike an honest checkout this one looks, 0 (ordinary) to 100. Each part is monotone in
 * its signal, so more of anything suspicious never lowers the score; the weights are a starting
 * point a rule can use (`anomaly_score gte 60`), documented in docs/SECURITY.md.
 * - far above the buyer's own history: up to 35, reached at ten times their median;
 * - a young account spending a lot: up to 25, for a day-old account spending 1,000.00 or more,
 *   falling to nothing at 30 days;
 * - many cards tried by one buyer: 10 per card beyond the first, up to 20;
 * - one card used by many buyers: 8 per buyer beyond the first, up to 15;
 * - many buyers behind one address or device: 2 per buyer beyond the second, up to 10;
 * - shipping to another country than the buyer is in: 15.
 */
export function anomalyScore(s: ScoreInputs): number {
  const history = 35 * clamp01(s.amount_vs_buyer_median > 1 ? Math.log10(s.amount_vs_buyer_median) : 0)
  const youngAndLarge = 25 * clamp01(s.amount / 100_000) * (1 - clamp01(s.account_age_days / 30))
  const cards = Math.min(20, 10 * Math.max(0, s.buyer_cards_24h - 1))
  const sharedCard = Math.min(15, 8 * Math.max(0, s.card_buyers_24h - 1))
  const crowd = Math.min(10, 2 * Math.max(0, Math.max(s.ip_buyers_24h, s.device_buyers_24h) - 2))
  const country = s.country_mismatch ? 15 : 0
  return Math.round(Math.min(100, history + youngAndLarge + cards + sharedCard + crowd + country))
}

/** The median of a buyer's past order amounts (0 with none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const at = (i: number) => sorted[i] ?? 0
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2
}
