/**
 * The order lifecycle as a pure table: which action moves an order from which statuses to which,
 * and who may take it. Routes and consumers ask `decideTransition`; the store applies the answer
 * with a conditional update (`WHERE status = from AND version = v`), never read-then-write.
 *
 *   pending_payment → paid → shipped → in_transit → delivered → completed
 *         ↓            ↓                              ↓
 *     cancelled    cancelled (refund)             disputed → refunded | completed
 *
 * A checkout the risk engine sends to review is held `pending_review` (its payment authorized,
 * not captured) until staff approve it (captured → `paid`) or reject it (voided → `cancelled`).
 *
 * A shipped order the carrier never delivers may also be disputed by its buyer, once the delivery
 * window has passed (`report_not_received`: the window is the command's to check).
 */
export const orderStatuses = ['pending_payment', 'pending_review', 'paid', 'shipped', 'in_transit', 'delivered', 'completed', 'cancelled', 'disputed', 'refunded'] as const
export type OrderStatus = (typeof orderStatuses)[number]

export const actorKinds = ['buyer', 'seller', 'staff', 'system', 'carrier'] as const
export type ActorKind = (typeof actorKinds)[number]

export const orderActions = ['pay', 'hold_for_review', 'approve', 'reject', 'cancel', 'ship', 'transit', 'deliver', 'accept', 'auto_complete', 'dispute', 'report_not_received', 'refund', 'release'] as const
export type OrderAction = (typeof orderActions)[number]

/** For each action, by actor, the statuses it may start from; and where it leads. */
const table: Record<OrderAction, { to: OrderStatus; from: Partial<Record<ActorKind, readonly OrderStatus[]>> }> = {
  pay: { to: 'paid', from: { system: ['pending_payment'] } },
  hold_for_review: { to: 'pending_review', from: { system: ['pending_payment'] } },
  approve: { to: 'paid', from: { staff: ['pending_review'] } },
  // Staff, or Souk when the hold runs out before anyone decided (the authorization would lapse).
  reject: { to: 'cancelled', from: { staff: ['pending_review'], system: ['pending_review'] } },
  // The buyer may cancel before paying; the seller (or staff) until it ships; Souk itself an unpaid order.
  cancel: { to: 'cancelled', from: { buyer: ['pending_payment'], seller: ['pending_payment', 'paid'], staff: ['pending_payment', 'paid'], system: ['pending_payment'] } },
  ship: { to: 'shipped', from: { seller: ['paid'] } },
  transit: { to: 'in_transit', from: { carrier: ['shipped'] } },
  deliver: { to: 'delivered', from: { carrier: ['shipped', 'in_transit'] } },
  accept: { to: 'completed', from: { buyer: ['delivered'] } },
  auto_complete: { to: 'completed', from: { system: ['delivered'] } },
  dispute: { to: 'disputed', from: { buyer: ['delivered'] } },
  report_not_received: { to: 'disputed', from: { buyer: ['shipped', 'in_transit'] } },
  refund: { to: 'refunded', from: { staff: ['disputed'] } },
  release: { to: 'completed', from: { staff: ['disputed'] } },
}

/** Statuses an order never leaves. */
export const finalStatuses: readonly OrderStatus[] = ['completed', 'cancelled', 'refunded']

/** Statuses whose money sits in escrow: paid and not yet settled either way. */
export const escrowedStatuses: readonly OrderStatus[] = ['paid', 'shipped', 'in_transit', 'delivered', 'disputed']

export type Transition = { action: OrderAction; from: OrderStatus; to: OrderStatus; version: number }

export type TransitionRefusal =
  | { code: 'invalid_transition'; status: OrderStatus }
  | { code: 'forbidden'; reason: string }

export function decideTransition(
  order: { status: OrderStatus; version: number },
  action: OrderAction,
  actor: ActorKind,
): { ok: true; transition: Transition } | { ok: false; refusal: TransitionRefusal } {
  const rule = table[action]
  const allowed = rule.from[actor]
  if (!allowed) return { ok: false, refusal: { code: 'forbidden', reason: `a ${actor} cannot ${action.replace('_', ' ')} an order` } }
  if (!allowed.includes(order.status)) return { ok: false, refusal: { code: 'invalid_transition', status: order.status } }
  return { ok: true, transition: { action, from: order.status, to: rule.to, version: order.version } }
}

/** Where an action leads, whoever takes it. */
export const targetOf = (action: OrderAction): OrderStatus => table[action].to

/**
 * What a lapsed reservation does, given its order's status (ARCHITECTURE.md "Decisions"): a paid
 * order keeps its units; an unpaid one is cancelled first, then its units go back; anything else
 * (cancelled, refunded, no order at all) gives them back.
 */
export function stockFate(status: OrderStatus | undefined): 'commit' | 'cancel_then_release' | 'release' {
  if (status === 'pending_payment') return 'cancel_then_release'
  if (status === undefined || status === 'cancelled' || status === 'refunded') return 'release'
  // Held for review: the units stay sold until staff decide (a rejection puts them back).
  return 'commit'
}
