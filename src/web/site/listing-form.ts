import { currencyOf, parseAmount } from './money-input'

/**
 * The /sell page's "new listing" form, turned into the body of `POST /v1/listings`. The form
 * speaks as a seller thinks: a format of `fixed_price`, `auction` or `offers` (a fixed price that
 * also takes offers), amounts as decimals, an auction's length rather than an instant. Only what
 * the form itself must decide (amounts, the end) is checked here; everything else is the API's
 * to judge, so the page shows the API's own validation problem.
 */
export const saleFormats = ['fixed_price', 'offers', 'auction'] as const
export type SaleFormat = (typeof saleFormats)[number]

export const durationUnits = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const
export type DurationUnit = keyof typeof durationUnits

type Money = { amount: number; currency: string }
export type ListingRequest = {
  title: string
  description: string
  category: string
  format: 'fixed_price' | 'auction'
  acceptsOffers: boolean
  price?: Money
  quantity?: number
  auction?: { startingBid: Money; reservePrice?: Money; buyNowPrice?: Money; endsAt: string }
}

export type ListingFormResult = { ok: true; body: ListingRequest } | { ok: false; error: string }

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')

/** The form's fields (strings; files are ignored here) → the API body, or the first thing wrong with them. */
export function listingRequestOf(fields: Record<string, unknown>, now: Date): ListingFormResult {
  const format = saleFormats.find((f) => f === fields.format)
  if (!format) return { ok: false, error: 'Format: choose fixed price, fixed price with offers, or auction' }
  const currency = currencyOf(fields.currency)
  if (!currency) return { ok: false, error: 'Currency: choose one of the listed currencies' }
  const base = { title: text(fields.title), description: text(fields.description), category: text(fields.category).toLowerCase() }

  if (format !== 'auction') {
    const price = parseAmount(fields.price, 'Price')
    if (!price.ok) return price
    const quantityText = text(fields.quantity)
    const quantity = quantityText === '' ? 1 : Number(quantityText)
    if (!Number.isSafeInteger(quantity) || quantity < 1) return { ok: false, error: 'Quantity: a whole number, at least 1' }
    return { ok: true, body: { ...base, format: 'fixed_price', acceptsOffers: format === 'offers', price: { amount: price.amount, currency }, quantity } }
  }

  const startingBid = parseAmount(fields.startingBid, 'Starting bid')
  if (!startingBid.ok) return startingBid
  const optional = (name: string, label: string): { ok: true; money?: Money } | { ok: false; error: string } => {
    if (text(fields[name]) === '') return { ok: true }
    const parsed = parseAmount(fields[name], label)
    return parsed.ok ? { ok: true, money: { amount: parsed.amount, currency } } : parsed
  }
  const reserve = optional('reservePrice', 'Reserve price')
  if (!reserve.ok) return reserve
  const buyNow = optional('buyNowPrice', 'Buy It Now price')
  if (!buyNow.ok) return buyNow
  const end = auctionEnd(fields.endsIn, fields.endsInUnit, now)
  if (!end.ok) return end
  return {
    ok: true,
    body: {
      ...base,
      format: 'auction',
      acceptsOffers: false,
      auction: {
        startingBid: { amount: startingBid.amount, currency },
        ...(reserve.money ? { reservePrice: reserve.money } : {}),
        ...(buyNow.money ? { buyNowPrice: buyNow.money } : {}),
        endsAt: end.endsAt,
      },
    },
  }
}

/** "Ends in 3 days" → the instant; the API judges whether it is too soon or too late. */
export function auctionEnd(value: unknown, unit: unknown, now: Date): { ok: true; endsAt: string } | { ok: false; error: string } {
  const n = Number(text(value))
  const u = (Object.keys(durationUnits) as DurationUnit[]).find((k) => k === unit)
  if (!u) return { ok: false, error: 'Auction length: choose minutes, hours or days' }
  if (text(value) === '' || !Number.isSafeInteger(n) || n < 1 || n > 100_000) return { ok: false, error: 'Auction length: a whole number, at least 1' }
  return { ok: true, endsAt: new Date(now.getTime() + n * durationUnits[u]).toISOString() }
}
