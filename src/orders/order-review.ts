import { money } from '../core/money'
import { captureTransaction } from '../ledger/ledger'
import { gatewayKeys, type ChargeRequest } from '../payments/gateway'
import { restockLines } from './order-commands'
import { giveBack } from './order-payment'
import type { OrderPorts } from './order-ports'
import { transitionOrder, type TransitionResult } from './order-transitions'
import type { OrderRecord } from './order-view'

/**
 * Staff deciding an order the risk engine held for review (`pending_review`, its payment
 * authorized, not captured). The order's conditional move is what decides: two staff approving
 * at once both ask the provider to capture under the same key (it captures once), and only one
 * move lands; the other is told the order is no longer held.
 */
export type ReviewOutcome =
  | { kind: 'decided'; order: OrderRecord }
  /** Not held for review any more (decided already, or never was): the status it has. */
  | { kind: 'not_held'; status: OrderRecord['status'] | null }
  /** The provider cannot be asked now: nothing changed; try again. */
  | { kind: 'unavailable' }
  /** The authorization is gone (expired or voided at the provider): the order was cancelled instead. */
  | { kind: 'authorization_lost'; order: OrderRecord | null }

const heldCharge = (o: OrderRecord): ChargeRequest => ({
  key: gatewayKeys(o.id).charge,
  orderId: o.id,
  amount: money(o.total, o.currency),
  paymentMethod: o.paymentMethod ?? '',
  capture: 'manual',
})

/** Approve: capture the authorization, then `paid` with the payment and the ledger's capture in one batch. */
export async function approveHeldOrder(p: OrderPorts, orderId: string): Promise<ReviewOutcome> {
  const order = await p.orders.get(orderId)
  if (order?.status !== 'pending_review') return { kind: 'not_held', status: order?.status ?? null }
  const charge = await p.gateway.retrieve(heldCharge(order))
  if (charge.status === 'unknown') return { kind: 'unavailable' }
  if (charge.status !== 'authorized' && charge.status !== 'captured') return lost(p, order)
  if (charge.status === 'authorized') {
    const captured = await p.gateway.capture({ key: gatewayKeys(order.id).capture, paymentId: charge.paymentId, amount: money(order.total, order.currency) })
    if (captured.status === 'unknown' || captured.status === 'unavailable') return { kind: 'unavailable' }
    if (captured.status === 'declined') return lost(p, order)
  }
  const paid = await transitionOrder(p, order.id, 'approve', 'staff', (o) => ({
    reason: 'risk_review_approved',
    payment: { orderId: o.id, provider: p.gateway.provider, providerRef: charge.paymentId, amount: o.total, currency: o.currency },
    ledger: captureTransaction(o),
  }))
  return moved(p, order.id, paid)
}

/** Reject: `cancelled`, the authorization voided (no money moved), the units back on their listings. */
export async function rejectHeldOrder(p: OrderPorts, orderId: string): Promise<ReviewOutcome> {
  const order = await p.orders.get(orderId)
  if (order?.status !== 'pending_review') return { kind: 'not_held', status: order?.status ?? null }
  const rejected = await transitionOrder(p, order.id, 'reject', 'staff', () => ({ reason: 'risk_review_rejected' }))
  if (!rejected.ok) return moved(p, order.id, rejected)
  await restockLines(p, rejected.order)
  const charge = await p.gateway.retrieve(heldCharge(order))
  if (charge.status === 'authorized' || charge.status === 'captured') await giveBack(p, rejected.order, charge.paymentId, charge.status === 'captured')
  else if (charge.status === 'unknown') p.log.error('review_void_unknown', { orderId, reason: charge.reason })
  return { kind: 'decided', order: rejected.order }
}

/** The authorization cannot be captured: the order is cancelled (as a rejection) and its units go back. */
async function lost(p: OrderPorts, order: OrderRecord): Promise<ReviewOutcome> {
  const cancelled = await transitionOrder(p, order.id, 'reject', 'staff', () => ({ reason: 'authorization_lost' }))
  if (cancelled.ok) await restockLines(p, cancelled.order)
  return { kind: 'authorization_lost', order: cancelled.ok ? cancelled.order : null }
}

async function moved(p: OrderPorts, orderId: string, r: TransitionResult): Promise<ReviewOutcome> {
  if (r.ok) return { kind: 'decided', order: r.order }
  return { kind: 'not_held', status: (await p.orders.get(orderId))?.status ?? null }
}
