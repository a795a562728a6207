import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  actorKinds,
  decideTransition,
  finalStatuses,
  orderActions,
  orderStatuses,
  targetOf,
  type ActorKind,
  type OrderAction,
  type OrderStatus,
} from '../../../src/orders/order-machine'

/**
 * Any sequence of (action, actor) commands, applied from pending_payment the way the store
 * applies them (only accepted transitions, version + 1 each): judged against the lifecycle's laws.
 */
type Step = { action: OrderAction; actor: ActorKind }
/**
 * A command is any (action, actor); or the n-th of the steps the machine accepts right now; or the
 * n-th of those that do not end the order (so runs go deep into the lifecycle).
 */
type Command = Step | { legal: number } | { deep: number }

/** Per action, every status any actor may take it from (the design's diagram, written out here). */
const startsFrom: Record<OrderAction, OrderStatus[]> = {
  pay: ['pending_payment'],
  hold_for_review: ['pending_payment'],
  approve: ['pending_review'],
  reject: ['pending_review'],
  cancel: ['pending_payment', 'paid'],
  ship: ['paid'],
  transit: ['shipped'],
  deliver: ['shipped', 'in_transit'],
  accept: ['delivered'],
  auto_complete: ['delivered'],
  dispute: ['delivered'],
  report_not_received: ['shipped', 'in_transit'],
  refund: ['disputed'],
  release: ['disputed'],
}

const allSteps: Step[] = orderActions.flatMap((action) => actorKinds.map((actor) => ({ action, actor })))

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ action: fc.constantFrom(...orderActions), actor: fc.constantFrom(...actorKinds) }) },
  { weight: 2, arbitrary: fc.record({ legal: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ deep: fc.nat(20) }) },
)
const commandsArb = fc.array(commandArb, { minLength: 1, maxLength: 40 })

/** The step a command stands for when the order is at `status`. */
function stepOf(c: Command, status: OrderStatus): Step {
  if ('action' in c) return c
  const legal = allSteps.filter((s) => decideTransition({ status, version: 1 }, s.action, s.actor).ok)
  const onward = legal.filter((s) => !finalStatuses.includes(targetOf(s.action)))
  const [choices, n] = 'deep' in c && onward.length > 0 ? [onward, c.deep] : [legal, 'legal' in c ? c.legal : c.deep]
  return choices[n % Math.max(1, choices.length)] ?? { action: 'pay', actor: 'buyer' }
}

describe('the order machine under any sequence of commands', () => {
  it('keeps a known status, never leaves a final one, and moves only from allowed statuses, one version at a time', () => {
    const reached = new Set<OrderStatus>()
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), commandsArb, (startVersion, commands) => {
        let order = { status: 'pending_payment' as OrderStatus, version: startVersion }
        let accepted = 0
        for (const c of commands) {
          const { action, actor } = stepOf(c, order.status)
          const before = order
          const d = decideTransition(before, action, actor)
          if (finalStatuses.includes(before.status)) expect(d.ok).toBe(false)
          if (!d.ok) continue
          const t = d.transition
          expect(t.action).toBe(action)
          expect(t.from).toBe(before.status)
          expect(t.version).toBe(before.version)
          expect(t.to).toBe(targetOf(action))
          expect(startsFrom[action]).toContain(before.status)
          order = { status: t.to, version: t.version + 1 }
          accepted += 1
          expect(orderStatuses).toContain(order.status)
          expect(order.version).toBe(startVersion + accepted)
          reached.add(order.status)
        }
      }),
      { numRuns: 500 },
    )
    // The runs went everywhere the lifecycle goes (else the laws above were checked on too little).
    expect([...reached].sort()).toEqual(orderStatuses.filter((s) => s !== 'pending_payment').sort())
  })

  it('reaches paid only by the system paying or staff approving a review, completed only from delivered or a released dispute, and never cancels after shipping', () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        let status: OrderStatus = 'pending_payment'
        let shipped = false
        const path: OrderStatus[] = [status]
        for (const c of commands) {
          const { action, actor } = stepOf(c, status)
          const d = decideTransition({ status, version: path.length }, action, actor)
          if (!d.ok) continue
          const { from, to } = d.transition
          if (to === 'paid')
            expect([
              { action: 'pay', actor: 'system', from: 'pending_payment' },
              { action: 'approve', actor: 'staff', from: 'pending_review' },
            ]).toContainEqual({ action, actor, from })
          if (to === 'completed')
            expect([
              { action: 'accept', actor: 'buyer', from: 'delivered' },
              { action: 'auto_complete', actor: 'system', from: 'delivered' },
              { action: 'release', actor: 'staff', from: 'disputed' },
            ]).toContainEqual({ action, actor, from })
          if (to === 'refunded') expect({ action, actor, from }).toEqual({ action: 'refund', actor: 'staff', from: 'disputed' })
          if (to === 'cancelled') expect(shipped).toBe(false)
          if (to === 'shipped') shipped = true
          status = to
          path.push(status)
        }
        // Each status is visited at most once: the lifecycle has no cycles.
        expect(new Set(path).size).toBe(path.length)
      }),
      { numRuns: 500 },
    )
  })

  it('lets every accepted path be read as a walk along the lifecycle diagram', () => {
    const edges = new Set([
      'pending_payment>paid',
      'pending_payment>cancelled',
      // Held for review by the risk engine, then decided by staff.
      'pending_payment>pending_review',
      'pending_review>paid',
      'pending_review>cancelled',
      'paid>cancelled',
      'paid>shipped',
      'shipped>in_transit',
      'shipped>delivered',
      'in_transit>delivered',
      'delivered>completed',
      'delivered>disputed',
      // Reported not received (the delivery window is the command's to check).
      'shipped>disputed',
      'in_transit>disputed',
      'disputed>refunded',
      'disputed>completed',
    ])
    fc.assert(
      fc.property(commandsArb, (commands) => {
        let status: OrderStatus = 'pending_payment'
        for (const c of commands) {
          const { action, actor } = stepOf(c, status)
          const d = decideTransition({ status, version: 1 }, action, actor)
          if (!d.ok) continue
          expect(edges).toContain(`${d.transition.from}>${d.transition.to}`)
          status = d.transition.to
        }
      }),
      { numRuns: 300 },
    )
  })
})
