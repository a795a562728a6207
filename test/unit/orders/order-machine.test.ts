import { describe, expect, it } from 'vitest'
import {
  actorKinds,
  decideTransition,
  escrowedStatuses,
  finalStatuses,
  orderActions,
  orderStatuses,
  stockFate,
  targetOf,
  type ActorKind,
  type OrderAction,
  type OrderStatus,
} from '../../../src/orders/order-machine'

/**
 * The lifecycle as the design draws it, written out here independently of the machine's table:
 * for each action, who may take it from which statuses, and where it leads.
 */
const expected: Record<OrderAction, { to: OrderStatus; from: Partial<Record<ActorKind, OrderStatus[]>> }> = {
  pay: { to: 'paid', from: { system: ['pending_payment'] } },
  hold_for_review: { to: 'pending_review', from: { system: ['pending_payment'] } },
  approve: { to: 'paid', from: { staff: ['pending_review'] } },
  reject: { to: 'cancelled', from: { staff: ['pending_review'], system: ['pending_review'] } },
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

const order = (status: OrderStatus, version = 3) => ({ status, version })

describe('decideTransition, for every status, action and actor', () => {
  for (const action of orderActions) {
    for (const actor of actorKinds) {
      const allowed = expected[action].from[actor]
      if (!allowed) {
        it(`forbids a ${actor} to ${action} from any status`, () => {
          for (const status of orderStatuses) {
            const d = decideTransition(order(status), action, actor)
            expect(d).toEqual({ ok: false, refusal: { code: 'forbidden', reason: expect.stringContaining(actor) } })
          }
        })
        continue
      }
      it(`lets a ${actor} ${action} from ${allowed.join(', ')} only, to ${expected[action].to}`, () => {
        for (const status of orderStatuses) {
          const d = decideTransition(order(status, 7), action, actor)
          if (allowed.includes(status)) expect(d).toEqual({ ok: true, transition: { action, from: status, to: expected[action].to, version: 7 } })
          else expect(d).toEqual({ ok: false, refusal: { code: 'invalid_transition', status } })
        }
      })
    }
  }
})

describe('who may take which action', () => {
  it('forbids the buyer to ship, saying who cannot do what', () => {
    expect(decideTransition(order('paid'), 'ship', 'buyer')).toEqual({ ok: false, refusal: { code: 'forbidden', reason: 'a buyer cannot ship an order' } })
  })

  it('spells a two-word action out in the reason', () => {
    expect(decideTransition(order('delivered'), 'auto_complete', 'buyer')).toEqual({
      ok: false,
      refusal: { code: 'forbidden', reason: 'a buyer cannot auto complete an order' },
    })
  })

  it('refuses the seller cancelling a shipped order as an invalid transition naming the status', () => {
    expect(decideTransition(order('shipped'), 'cancel', 'seller')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'shipped' } })
  })

  it('lets the seller cancel a paid order but the buyer only an unpaid one', () => {
    expect(decideTransition(order('paid'), 'cancel', 'seller').ok).toBe(true)
    expect(decideTransition(order('paid'), 'cancel', 'buyer')).toEqual({ ok: false, refusal: { code: 'invalid_transition', status: 'paid' } })
    expect(decideTransition(order('pending_payment'), 'cancel', 'buyer').ok).toBe(true)
  })

  it('answers a forbidden actor as forbidden even from a status the action could start from', () => {
    expect(decideTransition(order('pending_payment'), 'pay', 'buyer').ok).toBe(false)
    expect(decideTransition(order('pending_payment'), 'pay', 'buyer')).toMatchObject({ refusal: { code: 'forbidden' } })
  })

  it('carries the version the decision was taken on, for the conditional update', () => {
    expect(decideTransition({ status: 'pending_payment', version: 42 }, 'pay', 'system')).toEqual({
      ok: true,
      transition: { action: 'pay', from: 'pending_payment', to: 'paid', version: 42 },
    })
  })
})

describe('targetOf', () => {
  it('names where each action leads, whoever takes it', () => {
    for (const action of orderActions) expect(targetOf(action)).toBe(expected[action].to)
  })
})

describe('finalStatuses and escrowedStatuses', () => {
  it('are completed, cancelled and refunded; and paid through disputed', () => {
    expect([...finalStatuses].sort()).toEqual(['cancelled', 'completed', 'refunded'])
    expect([...escrowedStatuses].sort()).toEqual(['delivered', 'disputed', 'in_transit', 'paid', 'shipped'])
  })

  it('refuse every action from a final status, whoever asks', () => {
    for (const status of finalStatuses)
      for (const action of orderActions) for (const actor of actorKinds) expect(decideTransition(order(status), action, actor).ok).toBe(false)
  })

  it('never overlap, and leave out only the orders whose money is not captured yet (unpaid, or held for review)', () => {
    expect(finalStatuses.filter((s) => escrowedStatuses.includes(s))).toEqual([])
    expect(orderStatuses.filter((s) => !finalStatuses.includes(s) && !escrowedStatuses.includes(s))).toEqual(['pending_payment', 'pending_review'])
  })
})

describe('stockFate', () => {
  it('cancels an unpaid order first, then releases its units', () => {
    expect(stockFate('pending_payment')).toBe('cancel_then_release')
  })

  it('keeps the units of an order held for review: staff decide, and a rejection puts them back', () => {
    expect(stockFate('pending_review')).toBe('commit')
  })

  it('releases the units of a cancelled, refunded or missing order', () => {
    expect(stockFate('cancelled')).toBe('release')
    expect(stockFate('refunded')).toBe('release')
    expect(stockFate(undefined)).toBe('release')
  })

  it('commits the units of every paid order, in escrow or completed', () => {
    for (const status of [...escrowedStatuses, 'completed'] as const) expect(stockFate(status)).toBe('commit')
  })
})
