import type { Outcome } from '../core/decision'
import type { IdPrefix } from '../core/ids'
import type { Logger } from '../core/logger'
import type { MetricsSink } from '../ops/metrics'
import type { LedgerTransaction } from '../ledger/ledger'
import type { Reserve, Reserved, StockRejection } from '../listings/stock'
import type { PaymentGateway } from '../payments/gateway'
import type { RiskEngine } from '../risk/risk-engine'
export type { RiskEngine }
import type { FirstStatus, HistoryRow, OrderDraft } from './order-draft'
import type { ActorKind, OrderStatus, Transition } from './order-machine'
import type { OrderRecord } from './order-view'

/**
 * What the checkout saga and the order commands need from the world, as interfaces. The pure
 * orchestration in src/checkout and src/orders runs against these; order-adapters.ts wires them
 * to D1, the listing objects, the accounts, the gateway and the jobs queue, and tests wire them to
 * fakes that fail on purpose.
 */

/** The money an order took, as Souk records it. */
export type PaymentRecord = {
  id: string
  orderId: string
  provider: string
  providerRef: string
  amount: number
  currency: OrderRecord['currency']
  status: 'captured' | 'refund_pending' | 'refunded'
  captured: boolean
}

/** What goes with a transition, in the same D1 batch, only if the transition itself is applied. */
export type TransitionEffects = {
  reason?: string
  ledger?: LedgerTransaction
  /** A capture recorded with `pay`. */
  payment?: Omit<PaymentRecord, 'id' | 'status' | 'captured'>
  /** The order's money must go back: its payment becomes `refund_pending`. */
  refundDue?: boolean
  shipment?: { carrier: string; trackingNumber: string }
  deliveredAt?: string
  dispute?: { open: string } | { outcome: 'refund' | 'release' }
}

/** How a checkout's order is first written, and what it carries. */
export type CheckoutRecord =
  | { status: Extract<FirstStatus, 'paid'>; provider: string; providerRef: string }
  | { status: Extract<FirstStatus, 'pending_payment'> }
  /** The risk engine asked for review: the payment is authorized, not captured; the review is queued with the order. */
  | { status: Extract<FirstStatus, 'pending_review'>; reviewId: string; reasons: string[]; score: number | null; providerRef: string }
  /** Money found for a checkout given up before its order was written: the order is written cancelled, and the money goes back. */
  | { status: Extract<FirstStatus, 'cancelled'>; reason: string }

export type Recorded = { result: 'recorded' | 'exists' | 'abandoned'; order: OrderRecord; history: HistoryRow[] }

export interface OrderBook {
  get(orderId: string): Promise<OrderRecord | undefined>
  history(orderId: string): Promise<{ status: OrderStatus; at: string }[]>
  findByShipment(carrier: string, trackingNumber: string): Promise<OrderRecord | undefined>
  /**
   * PAYMENTS.md saga step record-order: writes a checkout's order in one batch (order, history, payment,
   * ledger capture, outbox), unless it was given up ('abandoned') or written before ('exists').
   * `order` and `history` are what this write would make: the caller answers from them.
   */
  recordCheckout(draft: OrderDraft, record: CheckoutRecord, at: string): Promise<Recorded>
  /**
   * Gives up a checkout whose order was never written, so that it can never be paid: a hold that
   * lapsed, a payment that never came. Answers the order if one exists after all.
   */
  abandon(orderId: string, reason: string, at: string): Promise<OrderRecord | undefined>
  /** Creates an order made elsewhere (an auction win) unless its id exists; answers what exists after. */
  create(order: OrderRecord): Promise<OrderRecord>
  /** Ties an order made elsewhere (an auction win) to a checkout, once; false if another took it. */
  /** `shippingAddress` sealed for the order. */
  adopt(orderId: string, buyerId: string, checkoutKey: string, shippingAddress: string, paymentMethod: string): Promise<boolean>
  /** Applies a transition with a conditional update: 'stale' when the order had moved on. */
  move(order: OrderRecord, t: Transition, actor: ActorKind, effects: TransitionEffects, at: string): Promise<'moved' | 'stale'>
  /**
   * Money that reached an order after it was cancelled (a late capture, or an authorization to
   * void): recorded as due back, with the ledger's capture and refund when it was captured. Once.
   */
  recordLateMoney(order: OrderRecord, payment: Omit<PaymentRecord, 'id' | 'status'>, refund: LedgerTransaction | null, capture: LedgerTransaction | null, at: string): Promise<void>
  payment(orderId: string): Promise<PaymentRecord | undefined>
  markRefunded(orderId: string, at: string): Promise<void>
}

export type NotFound = { code: 'not_found' }

/** The listing objects, as the orders see them. */
export interface StockRoom {
  reserve(listingId: string, cmd: Reserve): Promise<Outcome<Reserved, StockRejection | NotFound>>
  commit(listingId: string, orderId: string): Promise<Outcome<unknown, StockRejection | NotFound>>
  release(listingId: string, orderId: string): Promise<Outcome<unknown, StockRejection | NotFound>>
  restock(listingId: string, orderId: string, quantity: number): Promise<Outcome<unknown, StockRejection | NotFound>>
}

/** Timed work, delivered at least once after the delay (the jobs queue). */
export interface Jobs {
  /** Asks the provider about the order's charge; `draft` is the order to write if it was not written yet. */
  reconcile(orderId: string, attempt: number, delaySeconds: number, draft?: OrderDraft): Promise<void>
  refund(orderId: string, attempt: number, delaySeconds: number): Promise<void>
  autoComplete(orderId: string, dueAt: string): Promise<void>
  /** Rejects an order still held for review at `dueAt` (voiding `paymentRef`), before its authorization lapses. */
  reviewExpiry(orderId: string, dueAt: string, paymentRef: string): Promise<void>
  sandboxCarrier(orderId: string, trackingNumber: string, step: 'in_transit' | 'delivered'): Promise<void>
}


export type OrderSettings = {
  holdMs: number
  paymentBoundMs: number
  reconcileDelaySeconds: number
  platformFeeBps: number
  autoCompleteMs: number
  /** After shipping, how long before the buyer may report the order not received. */
  deliveryWindowMs: number
  /** Carriers whose events Souk accepts; `sandbox` only where the sandbox carrier runs. */
  sandboxCarrier: boolean
}

export type OrderPorts = {
  orders: OrderBook
  stock: StockRoom
  gateway: PaymentGateway
  risk: RiskEngine
  jobs: Jobs
  settings: OrderSettings
  now: () => Date
  newId: (prefix: IdPrefix) => string
  random: () => number
  log: Logger
  /** Business outcomes as metric points (`checkout.payment`); absent, none are recorded. */
  metrics?: MetricsSink
}
