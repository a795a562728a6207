/**
 * Money is an integer count of minor units and an ISO 4217 currency, never a float. Souk trades
 * in currencies with two decimals; amounts are capped so no sum of them can lose precision.
 */
export const currencies = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'] as const
export type Currency = (typeof currencies)[number]
export type Money = { amount: number; currency: Currency }

/** $10,000,000.00: far above any C2C sale, far below where integer arithmetic could overflow. */
export const MAX_AMOUNT = 1_000_000_000

export const money = (amount: number, currency: Currency): Money => ({ amount, currency })

export function isValidAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount >= 1 && amount <= MAX_AMOUNT
}
