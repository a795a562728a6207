/**
 * What the risk engine can see, per action. A rule may only name a signal its action has: the
 * catalog is what `PUT /v1/admin/risk/rules` checks rules against and what docs/SECURITY.md lists.
 * Counts are "before this one" and windows are rolling; `ip`, `device` and `card` counts come from
 * the keyed pseudonym of the address, the client's `X-Device-Id` and the card's fingerprint.
 */
export const riskActions = ['checkout', 'payout', 'listing', 'registration', 'bid'] as const
export type RiskAction = (typeof riskActions)[number]

type SignalSpec = { type: 'number' | 'boolean'; description: string }

export const signalCatalog = {
  checkout: {
    amount: { type: 'number', description: 'the order total, in minor units' },
    account_age_days: { type: 'number', description: 'days since the buyer registered' },
    buyer_checkouts_1h: { type: 'number', description: 'the buyer’s checkouts in the last hour' },
    buyer_checkouts_24h: { type: 'number', description: 'the buyer’s checkouts in the last 24 hours' },
    buyer_cards_24h: { type: 'number', description: 'distinct payment methods the buyer tried in 24 hours, this one included' },
    buyer_past_checkouts: { type: 'number', description: 'checkouts the buyer made before this one (the last 50 are remembered)' },
    amount_vs_buyer_median: { type: 'number', description: 'this amount divided by the median amount of the buyer’s past checkouts (0 without any)' },
    ip_checkouts_1h: { type: 'number', description: 'checkouts from this address in the last hour, any buyer' },
    ip_buyers_24h: { type: 'number', description: 'distinct buyers from this address in 24 hours, this one included' },
    device_buyers_24h: { type: 'number', description: 'distinct buyers on this device in 24 hours (0 without X-Device-Id)' },
    card_buyers_24h: { type: 'number', description: 'distinct buyers who used this card (the provider’s fingerprint) in 24 hours, this one included' },
    country_mismatch: { type: 'boolean', description: 'the shipping country differs from the country of the address (false when either is unknown)' },
    has_second_factor: { type: 'boolean', description: 'the buyer has TOTP on (a challenge can be answered)' },
    anomaly_score: { type: 'number', description: '0–100, from anomaly-score.ts' },
  },
  payout: {
    amount: { type: 'number', description: 'the payout, in minor units' },
    account_age_days: { type: 'number', description: 'days since the seller registered' },
    payouts_24h: { type: 'number', description: 'the seller’s payouts asked for in 24 hours' },
    ip_accounts_24h: { type: 'number', description: 'distinct accounts asking for payouts from this address in 24 hours, this one included' },
  },
  listing: {
    price: { type: 'number', description: 'the price, or the auction’s starting bid, in minor units' },
    account_age_days: { type: 'number', description: 'days since the seller registered' },
    seller_listings_1h: { type: 'number', description: 'listings the seller created in the last hour' },
    ip_sellers_24h: { type: 'number', description: 'distinct sellers creating listings from this address in 24 hours, this one included' },
  },
  registration: {
    ip_registrations_1h: { type: 'number', description: 'accounts registered from this address in the last hour' },
    ip_registrations_24h: { type: 'number', description: 'accounts registered from this address in 24 hours' },
    device_registrations_24h: { type: 'number', description: 'accounts registered on this device in 24 hours (0 without X-Device-Id)' },
  },
  bid: {
    amount: { type: 'number', description: 'the bid, in minor units' },
    account_age_days: { type: 'number', description: 'days since the bidder registered' },
    shares_ip_with_seller: { type: 'boolean', description: 'the bidder bids from the address the seller listed from (shill bidding)' },
    shares_device_with_seller: { type: 'boolean', description: 'the bidder bids on the device the seller listed from (shill bidding)' },
  },
} as const satisfies Record<RiskAction, Record<string, SignalSpec>>

type Catalog = typeof signalCatalog

export type SignalName<A extends RiskAction> = keyof Catalog[A] & string
type ValueOf<S> = S extends { type: 'number' } ? number : boolean

/** The values of every signal an action has. */
export type Signals<A extends RiskAction> = { [K in SignalName<A>]: ValueOf<Catalog[A][K]> }

export type AnySignals = Record<string, number | boolean>

export function signalSpec(action: RiskAction, name: string): SignalSpec | undefined {
  const specs: Record<string, SignalSpec> = signalCatalog[action]
  return Object.hasOwn(specs, name) ? specs[name] : undefined
}

const DAY_MS = 86_400_000

/** Whole days between an account's creation (from its ULID) and now, never negative. */
export function accountAgeDays(createdAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - createdAtMs) / DAY_MS))
}
