/** How the console writes amounts and times: minor units as decimals, instants in UTC to the second. */

/** 4500 EUR → "45.00 EUR" (every currency Souk takes has two decimals). */
export function formatMoney(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : ''
  const abs = Math.abs(amount)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`
}

/** "2026-03-16T10:12:00.000Z" → "2026-03-16 10:12:00 UTC"; anything that is not an instant stays as it is. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}
