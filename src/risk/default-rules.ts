import type { RiskRule } from './risk-rules'

const rule = (r: Omit<RiskRule, 'all' | 'any' | 'enabled'> & Partial<Pick<RiskRule, 'all' | 'any'>>): RiskRule => ({ all: [], any: [], enabled: true, ...r })

/**
 * The rules a new deployment starts with (version 1), until staff save their own with
 * `PUT /v1/admin/risk/rules`. Thresholds are deliberately loose: they catch bursts and the
 * classic patterns (card testing, shill bidding) without troubling ordinary buyers.
 */
export const defaultRiskRules: RiskRule[] = [
  rule({ id: 'checkout_velocity_challenge', action: 'checkout', verdict: 'challenge', all: [{ signal: 'buyer_checkouts_1h', op: 'gte', value: 9 }], reason: 'ten or more checkouts in an hour' }),
  rule({ id: 'checkout_velocity_block', action: 'checkout', verdict: 'block', all: [{ signal: 'buyer_checkouts_1h', op: 'gte', value: 29 }], reason: 'thirty or more checkouts in an hour' }),
  rule({ id: 'card_testing', action: 'checkout', verdict: 'block', all: [{ signal: 'buyer_cards_24h', op: 'gte', value: 6 }], reason: 'six or more payment methods tried in a day' }),
  rule({ id: 'new_account_large_order', action: 'checkout', verdict: 'challenge', all: [{ signal: 'account_age_days', op: 'lt', value: 1 }, { signal: 'amount', op: 'gte', value: 100_000 }], reason: 'an account less than a day old spending 1,000.00 or more' }),
  rule({ id: 'shared_card', action: 'checkout', verdict: 'review', all: [{ signal: 'card_buyers_24h', op: 'gte', value: 4 }], reason: 'one payment method used by four or more buyers in a day' }),
  rule({ id: 'anomalous_checkout', action: 'checkout', verdict: 'review', all: [{ signal: 'anomaly_score', op: 'gte', value: 65 }], reason: 'the checkout looks unlike the buyer’s own' }),
  rule({ id: 'payout_burst', action: 'payout', verdict: 'block', all: [{ signal: 'payouts_24h', op: 'gte', value: 10 }], reason: 'ten or more payouts in a day' }),
  rule({ id: 'young_account_payout', action: 'payout', verdict: 'review', all: [{ signal: 'account_age_days', op: 'lt', value: 7 }, { signal: 'amount', op: 'gte', value: 100_000 }], reason: 'a payout of 1,000.00 or more from an account less than a week old' }),
  rule({ id: 'listing_flood', action: 'listing', verdict: 'block', all: [{ signal: 'seller_listings_1h', op: 'gte', value: 100 }], reason: 'a hundred or more listings in an hour' }),
  rule({ id: 'many_sellers_one_address', action: 'listing', verdict: 'review', all: [{ signal: 'ip_sellers_24h', op: 'gte', value: 10 }], reason: 'ten or more sellers listing from one address in a day' }),
  rule({ id: 'registration_flood', action: 'registration', verdict: 'block', all: [{ signal: 'ip_registrations_1h', op: 'gte', value: 20 }], reason: 'twenty or more accounts from one address in an hour' }),
  rule({ id: 'registrations_one_device', action: 'registration', verdict: 'review', all: [{ signal: 'device_registrations_24h', op: 'gte', value: 3 }], reason: 'three or more accounts on one device in a day' }),
  rule({ id: 'shill_same_device', action: 'bid', verdict: 'block', all: [{ signal: 'shares_device_with_seller', op: 'eq', value: true }], reason: 'the bidder bids on the seller’s device' }),
  rule({ id: 'shill_same_address', action: 'bid', verdict: 'review', all: [{ signal: 'shares_ip_with_seller', op: 'eq', value: true }], reason: 'the bidder bids from the seller’s address' }),
]
