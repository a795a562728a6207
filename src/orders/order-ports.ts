import type { Outcome } from '../core/decision'
import type { IdPrefix } from '../core/ids'
import type { Logger } from '../core/logger'
import type { LedgerTransaction } from '../ledger/ledger'
import type { Quote, Reserve, StockRejection } from '../listings/stock'
import type { PaymentGateway } from '../payments/gateway'
import type { CheckoutSignals, RiskAssessment } from '../risk/risk-engine'
import type { ActorKind, Transition } from './order-machine'
import type { OrderRecord } from './order-view'

/**
 * What the checkout saga and the order commands need from the world, as interfaces. The pure
 * orchestration in src/checkout and src/orders runs against these; order-adapters.ts wires them
 * to D1, the listing objects, the gateway and the jobs queue, and tests wire them to fakes that
 * fail on purpose.
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
  payment?: Omit<PaymentRecord, 'status' | 'captured'>
  /** The order's money must go back: its payment becomes `refund_pending`. */
  refundDue?: boolean
  shipment?: { carrier: string; trackingNumber: string }
  deliveredAt?: string
  dispute?: { open: string } | { outcome: 'refund' | 'release' }
}

export interface OrderBook {
  get(orderId: string): Promise<OrderRecord | undefined>
  findByCheckoutKey(buyerId: string, key: string): Promise<OrderRecord | undefined>
  findByShipment(carrier: string, trackingNumber: string): Promise<OrderRecord | undefined>
  /** Creates the order unless its id or (buyer, checkout key) exists; answers with what exists after. */
  create(order: OrderRecord): Promise<OrderRecord>
  /** Ties an order made elsewhere (an auction win) to a checkout, once; false if another took it. */
  adopt(orderId: string, buyerId: string, checkoutKey: string, shippingAddress: Record<string, string>, paymentMethod: string): Promise<boolean>
  /** Applies a transition with a conditional update: 'stale' when the order had moved on. */
  move(order: OrderRecord, t: Transition, actor: ActorKind, effects: TransitionEffects, at: string): Promise<'moved' | 'stale'>
  /**
   * Money that reached an order after it was cancelled (a late capture, or an authorization to
   * void): recorded as due back, with the ledger's capture and refund when it was captured. Once.
   */
  recordLateMoney(order: OrderRecord, payment: Omit<PaymentRecord, 'status'>, refund: LedgerTransaction | null, capture: LedgerTransaction | null, at: string): Promise<void>
  payment(orderId: string): Promise<PaymentRecord | undefined>
  markRefunded(orderId: string, at: string): Promise<void>
}

export type NotFound = { code: 'not_found' }

/** The listing objects, as the orders see them. */
export interface StockRoom {
  quote(listingId: string, buyerId: string, quantity: number): Promise<Outcome<Quote, StockRejection | NotFound>>
  reserve(listingId: string, cmd: Reserve): Promise<Outcome<unknown, StockRejection | NotFound>>
  commit(listingId: string, orderId: string): Promise<Outcome<unknown, StockRejection | NotFound>>
  release(listingId: string, orderId: string): Promise<Outcome<unknown, StockRejection | NotFound>>
  restock(listingId: string, orderId: string, quantity: number): Promise<Outcome<unknown, StockRejection | NotFound>>
}

/** Timed work, delivered at least once after the delay (the jobs queue). */
export interface Jobs {
  reconcile(orderId: string, attempt: number, delaySeconds: number): Promise<void>
  refund(orderId: string, attempt: number, delaySeconds: number): Promise<void>
  autoComplete(orderId: string, dueAt: string): Promise<void>
  sandboxCarrier(orderId: string, trackingNumber: string, step: 'in_transit' | 'delivered'): Promise<void>
}

export interface RiskEngine {
  assessCheckout(signals: CheckoutSignals): Promise<RiskAssessment>
}

export type OrderSettings = {
  holdMs: number
  paymentBoundMs: number
  reconcileDelaySeconds: number
  platformFeeBps: number
  autoCompleteMs: number
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
}
