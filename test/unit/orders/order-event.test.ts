import { describe, expect, it } from 'vitest'
import { EventEnvelope } from '../../../src/events/event-envelope'
import { orderEventEnvelope, orderEventType, type OrderEventRow } from '../../../src/orders/order-event'

const row = (over: Partial<OrderEventRow> = {}): OrderEventRow => ({
  eventId: 'evt_01m88jqa37acnyazb5evhqw3zy',
  orderId: 'ord_01m88jqa3nf9ty2gs0k5w3yncb',
  seq: 2,
  status: 'paid',
  action: 'pay',
  actor: 'system',
  reason: null,
  at: '2030-03-01T12:00:00.000Z',
  buyerId: 'usr_b',
  sellerId: 'usr_s',
  currency: 'EUR',
  total: 3000,
  items: [{ listingId: 'lst_a', quantity: 2, unitPrice: 1500 }],
  ...over,
})

describe('order events', () => {
  it('names the first row order.created and every later one after the status it reached', () => {
    expect(orderEventType('pending_payment', 1)).toBe('order.created')
    expect(orderEventType('paid', 2)).toBe('order.paid')
    expect(orderEventType('in_transit', 4)).toBe('order.in_transit')
    expect(orderEventType('cancelled', 2)).toBe('order.cancelled')
  })

  it('is a valid envelope under the row’s own id and seq, with money in the order’s currency', () => {
    const e = orderEventEnvelope(row())
    expect(EventEnvelope.parse(e)).toEqual(e)
    expect(e).toMatchObject({ id: 'evt_01m88jqa37acnyazb5evhqw3zy', type: 'order.paid', aggregateId: 'ord_01m88jqa3nf9ty2gs0k5w3yncb', seq: 2, occurredAt: '2030-03-01T12:00:00.000Z' })
    expect(e.data).toEqual({
      orderId: 'ord_01m88jqa3nf9ty2gs0k5w3yncb',
      status: 'paid',
      action: 'pay',
      actor: 'system',
      buyerId: 'usr_b',
      sellerId: 'usr_s',
      total: { amount: 3000, currency: 'EUR' },
      items: [{ listingId: 'lst_a', quantity: 2, unitPrice: { amount: 1500, currency: 'EUR' } }],
    })
  })

  it('carries a cancellation’s reason, and never the shipping address', () => {
    const e = orderEventEnvelope(row({ seq: 2, status: 'cancelled', action: 'cancel', reason: 'payment_declined' }))
    expect(e.data).toMatchObject({ reason: 'payment_declined' })
    expect(JSON.stringify(e)).not.toContain('shipping')
  })
})
