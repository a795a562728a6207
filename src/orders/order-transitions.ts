import type { ActorKind, OrderAction, OrderStatus, TransitionRefusal } from './order-machine'
import { decideTransition } from './order-machine'
import type { OrderPorts, TransitionEffects } from './order-ports'
import type { OrderRecord } from './order-view'

/** The order after the move, and the status it moved from. */
export type TransitionResult = { ok: true; order: OrderRecord; from: OrderStatus } | { ok: false; refusal: TransitionRefusal | { code: 'not_found' } }

/** A conditional update loses only to another move of the same order; that many tries is plenty. */
const MAX_TRIES = 5

/**
 * Takes `action` on an order as `actor`: reads it, asks the machine, applies the move with a
 * conditional update, and on a lost race reads again and decides again (the action may now be
 * refused). `effects` is computed from the order as it stands when the move is decided.
 */
export async function transitionOrder(
  p: Pick<OrderPorts, 'orders' | 'now'>,
  orderId: string,
  action: OrderAction,
  actor: ActorKind,
  effects: (order: OrderRecord) => TransitionEffects = () => ({}),
): Promise<TransitionResult> {
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const order = await p.orders.get(orderId)
    if (!order) return { ok: false, refusal: { code: 'not_found' } }
    const decision = decideTransition(order, action, actor)
    if (!decision.ok) return decision
    const at = p.now().toISOString()
    const { to, version } = decision.transition
    const fx = effects(order)
    if ((await p.orders.move(order, decision.transition, actor, fx, at)) === 'moved') {
      const shipment = fx.shipment ? { carrier: fx.shipment.carrier, trackingNumber: fx.shipment.trackingNumber } : {}
      return { ok: true, from: order.status, order: { ...order, ...shipment, deliveredAt: fx.deliveredAt ?? order.deliveredAt, status: to, version: version + 1, updatedAt: at } }
    }
  }
  throw new Error(`order ${orderId}: ${action} kept losing races`)
}
