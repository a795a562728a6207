import { refundDue, releaseStock } from './order-payment'
import { refundTransaction, settleTransaction } from '../ledger/ledger'
import type { ActorKind } from './order-machine'
import type { OrderPorts } from './order-ports'
import { transitionOrder, type TransitionResult } from './order-transitions'
import type { OrderRecord } from './order-view'

/**
 * What people (and carriers, and timers) do to an order after checkout. Each is one transition
 * through the machine, its money in the same D1 batch, and then the slower work that follows it
 * (stock back on the listing, a refund at the provider, the next timer), each idempotent.
 */

/** The buyer before paying, the seller (or staff) until it ships. A paid order is refunded and its units go back. */
export async function cancelOrder(p: OrderPorts, orderId: string, actor: Extract<ActorKind, 'buyer' | 'seller' | 'staff'>): Promise<TransitionResult> {
  const result = await transitionOrder(p, orderId, 'cancel', actor, (o) =>
    o.status === 'paid' ? { reason: `cancelled_by_${actor}`, ledger: refundTransaction(o), refundDue: true } : { reason: `cancelled_by_${actor}` },
  )
  if (!result.ok) return result
  if (result.from === 'paid') {
    await restockLines(p, result.order)
    await refundDue(p, orderId, 0)
  } else {
    await releaseStock(p, result.order)
  }
  return result
}

export async function restockLines(p: OrderPorts, order: OrderRecord): Promise<void> {
  for (const line of order.items) {
    try {
      const r = await p.stock.restock(line.listingId, order.id, line.quantity)
      if (!r.ok) p.log.error('restock_refused', { orderId: order.id, listingId: line.listingId, rejection: r.rejection })
    } catch (err) {
      // The cancellation stands; the operator's restock replays it (idempotent by order id).
      p.log.error('restock_failed', { orderId: order.id, listingId: line.listingId, err })
    }
  }
}

export type Shipment = { carrier: string; trackingNumber: string }

/** The seller ships a paid order. The sandbox carrier then moves it on by itself. */
export async function shipOrder(p: OrderPorts, orderId: string, shipment: Shipment): Promise<TransitionResult> {
  const result = await transitionOrder(p, orderId, 'ship', 'seller', () => ({ shipment }))
  if (result.ok && shipment.carrier === 'sandbox') await p.jobs.sandboxCarrier(orderId, shipment.trackingNumber, 'in_transit')
  return result
}

/** The buyer accepts a delivered order: escrow goes to the seller, less the platform's fee. */
export function acceptOrder(p: OrderPorts, orderId: string): Promise<TransitionResult> {
  return transitionOrder(p, orderId, 'accept', 'buyer', (o) => ({ ledger: settleTransaction(o, p.settings.platformFeeBps) }))
}

/** Three days (autoCompleteMs) after delivery, an order nobody disputed completes by itself. */
export async function autoCompleteOrder(p: OrderPorts, orderId: string, dueAt: string): Promise<void> {
  if (p.now().getTime() < Date.parse(dueAt)) return p.jobs.autoComplete(orderId, dueAt)
  const result = await transitionOrder(p, orderId, 'auto_complete', 'system', (o) => ({ ledger: settleTransaction(o, p.settings.platformFeeBps) }))
  if (!result.ok && result.refusal.code !== 'invalid_transition') p.log.warn('auto_complete_refused', { orderId, refusal: result.refusal })
}

/** The dispute reason of a shipped order that never arrived. */
export const NOT_RECEIVED = 'not_received'

export type DisputeResult = TransitionResult | { ok: false; refusal: { code: 'delivery_window_open'; opensAt: string } }

/**
 * The buyer disputes: a delivered order before it completes, or, with the reason `not_received`,
 * a shipped order the carrier has not delivered once the delivery window since shipping is over
 * (a seller who ships with a tracking number no carrier reports on cannot hold the money in
 * escrow forever). Either way escrow stays put until staff decide.
 */
export async function openDispute(p: OrderPorts, orderId: string, reason: string): Promise<DisputeResult> {
  const order = reason === NOT_RECEIVED ? await p.orders.get(orderId) : undefined
  if (!order || (order.status !== 'shipped' && order.status !== 'in_transit')) return transitionOrder(p, orderId, 'dispute', 'buyer', () => ({ dispute: { open: reason } }))
  const shippedAt = (await p.orders.history(orderId)).find((h) => h.status === 'shipped')?.at
  const opensAt = new Date(Date.parse(shippedAt ?? order.updatedAt) + p.settings.deliveryWindowMs)
  if (p.now() < opensAt) return { ok: false, refusal: { code: 'delivery_window_open', opensAt: opensAt.toISOString() } }
  return transitionOrder(p, orderId, 'report_not_received', 'buyer', () => ({ dispute: { open: reason } }))
}

/** Staff decide a dispute: refund the buyer, or release escrow to the seller. */
export async function resolveDispute(p: OrderPorts, orderId: string, outcome: 'refund' | 'release'): Promise<TransitionResult> {
  const result =
    outcome === 'refund'
      ? await transitionOrder(p, orderId, 'refund', 'staff', (o) => ({ ledger: refundTransaction(o), refundDue: true, dispute: { outcome } }))
      : await transitionOrder(p, orderId, 'release', 'staff', (o) => ({ ledger: settleTransaction(o, p.settings.platformFeeBps), dispute: { outcome } }))
  if (result.ok && outcome === 'refund') await refundDue(p, orderId, 0)
  return result
}

export type TrackingEvent = { trackingNumber: string; status: 'in_transit' | 'delivered' | 'exception'; occurredAt: string }

/**
 * A carrier's tracking event, real or sandbox. Out-of-order safe: `in_transit` after `delivered`
 * changes nothing, `delivered` straight from `shipped` is allowed; a repeat is refused by the
 * machine and answered as applied. An unknown shipment is `not_found`, so the carrier retries
 * (the seller's ship call may not have landed yet).
 */
export async function applyTrackingEvent(p: OrderPorts, carrier: string, e: TrackingEvent): Promise<{ ok: true; order: OrderRecord } | { ok: false; code: 'not_found' }> {
  const order = await p.orders.findByShipment(carrier, e.trackingNumber)
  if (!order) return { ok: false, code: 'not_found' }
  if (e.status === 'exception') {
    p.log.warn('shipment_exception', { orderId: order.id, carrier })
    return { ok: true, order }
  }
  const nowIso = p.now().toISOString()
  // A carrier's clock may run ahead of ours: delivery is never in the future.
  const deliveredAt = e.occurredAt < nowIso ? e.occurredAt : nowIso
  const result =
    e.status === 'in_transit'
      ? await transitionOrder(p, order.id, 'transit', 'carrier')
      : await transitionOrder(p, order.id, 'deliver', 'carrier', () => ({ deliveredAt }))
  if (result.ok && e.status === 'delivered') await p.jobs.autoComplete(order.id, new Date(Date.parse(deliveredAt) + p.settings.autoCompleteMs).toISOString())
  return { ok: true, order: result.ok ? result.order : ((await p.orders.get(order.id)) ?? order) }
}
