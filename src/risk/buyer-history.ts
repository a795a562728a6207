import { median } from './anomaly-score'
import { countEvents, type SignalLog } from './signal-log'

/**
 * What a buyer's account object remembers for the risk engine: their checkouts of the last day
 * (by order id, with the payment method's pseudonym) and the amounts of their last checkouts.
 * Pure: the object passes what it stored and the clock, and stores what comes back.
 */
export type BuyerHistory = { checkouts: SignalLog; amounts: { orderId: string; amount: number }[] }
export type BuyerSignals = { checkouts1h: number; checkouts24h: number; cards24h: number; pastCheckouts: number; medianAmount: number }

/** Amounts remembered: enough for a stable median, small enough to live in one storage value. */
export const REMEMBERED_AMOUNTS = 50

export function admitToHistory(h: BuyerHistory, c: { orderId: string; amount: number; card: string }, nowMs: number): { signals: BuyerSignals; history: BuyerHistory } {
  const { counts, log } = countEvents(h.checkouts, { kind: 'checkout', id: c.orderId, subject: c.card }, nowMs)
  const past = h.amounts.filter((a) => a.orderId !== c.orderId)
  const signals = { checkouts1h: counts.lastHour, checkouts24h: counts.lastDay, cards24h: counts.subjectsLastDay, pastCheckouts: past.length, medianAmount: median(past.map((a) => a.amount)) }
  return { signals, history: { checkouts: log, amounts: [...past, { orderId: c.orderId, amount: c.amount }].slice(-REMEMBERED_AMOUNTS) } }
}
