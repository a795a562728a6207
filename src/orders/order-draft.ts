import type { Currency } from '../core/money'
import type { ActorKind, OrderAction, OrderStatus } from './order-machine'
import type { OrderRecord } from './order-view'

/**
 * A checkout's order before it is written: everything the order will say, held by the checkout
 * saga and carried by its reconciliation job, so whichever of them learns the payment's outcome
 * can write the order in one go. Pure.
 */
export type OrderDraft = {
  id: string
  buyerId: string
  sellerId: string
  currency: Currency
  total: number
  items: { listingId: string; quantity: number; unitPrice: number }[]
  /** Sealed for the order (pii/pii-adapters.ts `sealAddress`): the job that carries a draft carries no address in the clear. */
  shippingAddress: string
  checkoutKey: string
  paymentMethod: string
  /** The earliest end of the order's holds: no charge may start after it. */
  paymentDueAt: string
  createdAt: string
  /** The risk engine asked for review: the charge is an authorization only, and the order is written `pending_review`. */
  review?: DraftReview
}

export type DraftReview = { id: string; reasons: string[]; score: number }

/** One row of an order's history, as `order_events` keeps it (its seq is the order's version). */
export type HistoryRow = { seq: number; status: OrderStatus; action: OrderAction | 'create'; actor: ActorKind; reason: string | null; at: string }

/** How a checkout's order is first written: paid, waiting for the provider's answer, or cancelled (money found after it was given up). */
export type FirstStatus = Extract<OrderStatus, 'paid' | 'pending_payment' | 'pending_review' | 'cancelled'>

/**
 * The history a checkout's order is written with: it was created waiting for payment, and, when
 * the outcome is already known, what happened next. The order's version is the last row's seq.
 */
export function firstHistory(draft: OrderDraft, status: FirstStatus, at: string, reason: string | null = null): HistoryRow[] {
  const created: HistoryRow = { seq: 1, status: 'pending_payment', action: 'create', actor: 'buyer', reason: null, at: draft.createdAt }
  if (status === 'pending_payment') return [created]
  if (status === 'paid') return [created, { seq: 2, status: 'paid', action: 'pay', actor: 'system', reason: null, at }]
  if (status === 'pending_review') return [created, { seq: 2, status: 'pending_review', action: 'hold_for_review', actor: 'system', reason, at }]
  return [created, { seq: 2, status: 'cancelled', action: 'cancel', actor: 'system', reason, at }]
}

/** The order a draft becomes once written with `history`. */
export function draftRecord(draft: OrderDraft, history: HistoryRow[]): OrderRecord {
  const last = history.at(-1)
  if (!last) throw new Error('an order is written with its history')
  return {
    ...draft,
    status: last.status,
    source: 'checkout',
    carrier: null,
    trackingNumber: null,
    deliveredAt: null,
    version: last.seq,
    updatedAt: last.at,
  }
}
