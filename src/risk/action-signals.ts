import { accountAgeDays, type Signals } from './risk-signals'
import type { SignalCounts } from './signal-log'

/**
 * The signals of the actions other than checkout, from the shards' counts. Pure. `user` counts are
 * of the acting account's own shard, `ip` and `device` of the request's origin (null: none).
 */
type Counts = { user: SignalCounts | null; ip: SignalCounts | null; device: SignalCounts | null }

export function payoutSignals(f: Counts & { amount: number; accountCreatedMs: number; nowMs: number }): Signals<'payout'> {
  return { amount: f.amount, account_age_days: accountAgeDays(f.accountCreatedMs, f.nowMs), payouts_24h: f.user?.lastDay ?? 0, ip_accounts_24h: f.ip?.subjectsLastDay ?? 0 }
}

export function listingSignals(f: Counts & { price: number; accountCreatedMs: number; nowMs: number }): Signals<'listing'> {
  return { price: f.price, account_age_days: accountAgeDays(f.accountCreatedMs, f.nowMs), seller_listings_1h: f.user?.lastHour ?? 0, ip_sellers_24h: f.ip?.subjectsLastDay ?? 0 }
}

export function registrationSignals(f: Counts): Signals<'registration'> {
  return { ip_registrations_1h: f.ip?.lastHour ?? 0, ip_registrations_24h: f.ip?.lastDay ?? 0, device_registrations_24h: f.device?.lastDay ?? 0 }
}

/** Where the seller listed from, kept by the listing, and where a bid comes from: shill bidding is the two meeting. */
export type Origins = { ip: string | null; device: string | null }

export function bidSignals(f: { amount: number; accountCreatedMs: number; nowMs: number; seller: Origins | null; bidder: Origins }): Signals<'bid'> {
  const same = (a: string | null | undefined, b: string | null) => a !== null && a !== undefined && a === b
  return {
    amount: f.amount,
    account_age_days: accountAgeDays(f.accountCreatedMs, f.nowMs),
    shares_ip_with_seller: same(f.seller?.ip, f.bidder.ip),
    shares_device_with_seller: same(f.seller?.device, f.bidder.device),
  }
}
