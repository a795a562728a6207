import { anomalyScore } from './anomaly-score'
import type { BuyerSignals } from './buyer-history'
import { accountAgeDays, type Signals } from './risk-signals'
import type { SignalCounts } from './signal-log'

export type CheckoutFacts = {
  amount: number
  accountCreatedMs: number
  nowMs: number
  buyer: BuyerSignals
  hasSecondFactor: boolean
  /** The signal shards' counts; null where the request had no such origin (no address, no device). */
  ip: SignalCounts | null
  device: SignalCounts | null
  card: SignalCounts | null
  shippingCountry: string | null
  ipCountry: string | null
}

/** Every checkout signal the rules may name, from what the account and the shards answered. */
export function checkoutSignals(f: CheckoutFacts): Signals<'checkout'> {
  const base = {
    amount: f.amount,
    account_age_days: accountAgeDays(f.accountCreatedMs, f.nowMs),
    buyer_checkouts_1h: f.buyer.checkouts1h,
    buyer_checkouts_24h: f.buyer.checkouts24h,
    buyer_cards_24h: f.buyer.cards24h,
    buyer_past_checkouts: f.buyer.pastCheckouts,
    amount_vs_buyer_median: f.buyer.medianAmount > 0 ? f.amount / f.buyer.medianAmount : 0,
    ip_checkouts_1h: f.ip?.lastHour ?? 0,
    ip_buyers_24h: f.ip?.subjectsLastDay ?? 0,
    device_buyers_24h: f.device?.subjectsLastDay ?? 0,
    card_buyers_24h: f.card?.subjectsLastDay ?? 1,
    country_mismatch: f.shippingCountry !== null && f.ipCountry !== null && f.shippingCountry !== f.ipCountry,
    has_second_factor: f.hasSecondFactor,
  }
  return { ...base, anomaly_score: anomalyScore(base) }
}
