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
  | { kind: 'not_held'; status: OrderRecord['status'] | null; since: string | null }
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

/**
 * Approve: capture the authorization, then `paid` with the payment and the ledger's capture in one
 * batch. `paymentRef`: the authorization, as the review recorded it when the order was held (the
 * provider's own idempotency keys expire; a review may wait days). Without one (a review written
 * before it was recorded), the provider is asked where the order's charge stands.
 */
export async function approveHeldOrder(p: OrderPorts, orderId: string, paymentRef: string | null, actor: 'staff' | 'system' = 'staff'): Promise<ReviewOutcome> {
  const order = await p.orders.get(orderId)
  if (order?.status !== 'pending_review') return notHeld(order)
  const found = await authorizationOf(p, order, paymentRef)
  if (found.kind === 'unknown') return { kind: 'unavailable' }
  if (found.kind === 'none') return lost(p, order, actor)
  const captured = await p.gateway.capture({ key: gatewayKeys(order.id).capture, paymentId: found.paymentId, amount: money(order.total, order.currency) })
  if (captured.status === 'unknown' || captured.status === 'unavailable') return { kind: 'unavailable' }
  if (captured.status === 'declined') return lost(p, order, actor)
  const paid = await transitionOrder(p, order.id, 'approve', actor, (o) => ({
    reason: 'risk_review_approved',
    payment: { orderId: o.id, provider: p.gateway.provider, providerRef: found.paymentId, amount: o.total, currency: o.currency },
    ledger: captureTransaction(o),
  }))
  return moved(p, order.id, paid)
}

/**
 * Reject: `cancelled`, the authorization voided (no money moved), the units back on their
 * listings. `actor` is `system` when the hold ran out before anyone decided (housekeeping).
 */
export async function rejectHeldOrder(p: OrderPorts, orderId: string, paymentRef: string | null, actor: 'staff' | 'system' = 'staff'): Promise<ReviewOutcome> {
  const order = await p.orders.get(orderId)
  if (order?.status !== 'pending_review') return notHeld(order)
  const rejected = await transitionOrder(p, order.id, 'reject', actor, () => ({ reason: actor === 'staff' ? 'risk_review_rejected' : 'risk_review_expired' }))
  if (!rejected.ok) return moved(p, order.id, rejected)
  await restockLines(p, rejected.order)
  const found = await authorizationOf(p, order, paymentRef)
  if (found.kind === 'unknown') p.log.error('review_void_unknown', { orderId })
  else if (found.kind === 'found') await giveBack(p, rejected.order, found.paymentId, false)
  return { kind: 'decided', order: rejected.order }
}

/** The held authorization: as recorded, or as the provider reports the order's charge; null when there is none to take. */
async function authorizationOf(p: OrderPorts, order: OrderRecord, paymentRef: string | null): Promise<Authorization> {
  if (paymentRef) return { kind: 'found', paymentId: paymentRef }
  const charge = await p.gateway.retrieve(heldCharge(order))
  if (charge.status === 'unknown') return { kind: 'unknown' }
  return charge.status === 'authorized' || charge.status === 'captured' ? { kind: 'found', paymentId: charge.paymentId } : { kind: 'none' }
}

type Authorization = { kind: 'found'; paymentId: string } | { kind: 'none' } | { kind: 'unknown' }

/** The authorization cannot be captured: the order is cancelled (as a rejection) and its units go back. */
async function lost(p: OrderPorts, order: OrderRecord, actor: 'staff' | 'system'): Promise<ReviewOutcome> {
  const cancelled = await transitionOrder(p, order.id, 'reject', actor, () => ({ reason: 'authorization_lost' }))
  if (cancelled.ok) await restockLines(p, cancelled.order)
  return { kind: 'authorization_lost', order: cancelled.ok ? cancelled.order : null }
}

/** Not held (any more): the status the order has, and since when. */
const notHeld = (order: OrderRecord | undefined): ReviewOutcome => ({ kind: 'not_held', status: order?.status ?? null, since: order?.updatedAt ?? null })

async function moved(p: OrderPorts, orderId: string, r: TransitionResult): Promise<ReviewOutcome> {
  if (r.ok) return { kind: 'decided', order: r.order }
  return notHeld(await p.orders.get(orderId))
}
