/**
 * How the site writes money and time for people: "$12.50", "€1,200.00"; "2d 4h left", "3m 05s
 * left", "Ended". Pure; the caller passes the clock.
 */
export type Money = { amount: number; currency: string }

const formatters = new Map<string, Intl.NumberFormat>()

/** 1250 USD → "$12.50" (every currency Souk takes has two decimals). */
export function formatMoney(m: Money): string {
  let f = formatters.get(m.currency)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 })
    formatters.set(m.currency, f)
  }
  return f.format(m.amount / 100)
}

/** What is left of an auction at `nowMs`: days and hours, hours and minutes, or minutes and seconds; "Ended" at or past the end. */
export function timeLeft(endsAtMs: number, nowMs: number): string {
  const left = Math.floor((endsAtMs - nowMs) / 1000)
  if (!(left > 0)) return 'Ended'
  const d = Math.floor(left / 86_400)
  const h = Math.floor((left % 86_400) / 3600)
  const m = Math.floor((left % 3600) / 60)
  const s = left % 60
  const two = (n: number) => String(n).padStart(2, '0')
  if (d > 0) return `${d}d ${h}h left`
  if (h > 0) return `${h}h ${two(m)}m left`
  return `${m}m ${two(s)}s left`
}

/** "2026-03-16T20:00:00.000Z" → "16 Mar 2026, 20:00 UTC". */
export function formatWhen(iso: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const d = new Date(ms)
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`
}
