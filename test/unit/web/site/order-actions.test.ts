import { describe, expect, it } from 'vitest'
import { buyerActions, lastAt, sellerActions, statusWords } from '../../../../src/web/site/order-actions'
import { orderStatuses } from '../../../../src/orders/order-machine'

const day = 86_400_000
const order = (status: string, history: { status: string; at: string }[] = []) => ({ status, history })

describe('buyerActions', () => {
  const now = new Date('2026-03-20T00:00:00.000Z')
  it('cancel before payment, accept or dispute once delivered, review once completed', () => {
    expect(buyerActions(order('pending_payment'), now, 14 * day)).toEqual(['cancel'])
    expect(buyerActions(order('delivered'), now, 14 * day)).toEqual(['accept', 'dispute'])
    expect(buyerActions(order('completed'), now, 14 * day)).toEqual(['review'])
    for (const s of ['paid', 'pending_review', 'cancelled', 'disputed', 'refunded']) expect(buyerActions(order(s), now, 14 * day), s).toEqual([])
  })

  it('offers "never arrived" only once the delivery window after shipping is over', () => {
    const shipped = order('in_transit', [
      { status: 'paid', at: '2026-03-01T00:00:00.000Z' },
      { status: 'shipped', at: '2026-03-05T00:00:00.000Z' },
      { status: 'in_transit', at: '2026-03-06T00:00:00.000Z' },
    ])
    expect(buyerActions(shipped, new Date('2026-03-18T23:59:59.000Z'), 14 * day)).toEqual([])
    expect(buyerActions(shipped, new Date('2026-03-19T00:00:00.000Z'), 14 * day)).toEqual(['report_not_received'])
    expect(buyerActions(order('shipped'), now, 14 * day)).toEqual([])
  })

  it('never offers the seller’s own actions, whatever the status', () => {
    for (const s of orderStatuses) expect(buyerActions(order(s), now, 0)).not.toContain('ship')
  })
})

describe('sellerActions', () => {
  it('ship or cancel a paid order, cancel an unpaid one, review a completed one, nothing else', () => {
    expect(sellerActions(order('paid'))).toEqual(['ship', 'cancel'])
    expect(sellerActions(order('pending_payment'))).toEqual(['cancel'])
    expect(sellerActions(order('completed'))).toEqual(['review'])
    for (const s of orderStatuses.filter((s) => !['paid', 'pending_payment', 'completed'].includes(s))) expect(sellerActions(order(s)), s).toEqual([])
  })
})

describe('lastAt and statusWords', () => {
  it('finds the last entry of a status and writes statuses as words', () => {
    const o = order('paid', [{ status: 'paid', at: 'a' }, { status: 'paid', at: 'b' }])
    expect(lastAt(o, 'paid')).toBe('b')
    expect(lastAt(o, 'shipped')).toBeUndefined()
    expect(statusWords('pending_payment')).toBe('pending payment')
  })
})
