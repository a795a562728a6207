import { currencies, MAX_AMOUNT, type Currency } from '../../core/money'

/**
 * Amounts as people type them into the pages' forms: "45", "45.5", "45.50" (every currency Souk
 * takes has two decimals), spaces around allowed, nothing else — no thousands separators, no
 * signs, no exponents. Minor units out, or why not.
 */
export type MoneyInput = { ok: true; amount: number } | { ok: false; error: string }

export function parseAmount(text: unknown, label: string): MoneyInput {
  const t = typeof text === 'string' ? text.trim() : ''
  if (t === '') return { ok: false, error: `${label}: enter an amount` }
  const m = /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(t)
  if (!m) return { ok: false, error: `${label}: “${t.slice(0, 20)}” is not an amount such as 12.50` }
  const amount = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
  if (amount < 1) return { ok: false, error: `${label}: must be more than 0` }
  if (amount > MAX_AMOUNT) return { ok: false, error: `${label}: at most ${MAX_AMOUNT / 100}` }
  return { ok: true, amount }
}

/** The form's currency, or undefined when it is not one Souk takes. */
export function currencyOf(text: unknown): Currency | undefined {
  return currencies.find((c) => c === text)
}

/** Minor units back into what the form shows: 4500 → "45.00". */
export function amountText(amount: number): string {
  return `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`
}
