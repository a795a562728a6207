import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { accountEventTypes } from '../../../src/events/contract/account-events'
import { listingEventTypes } from '../../../src/events/contract/listing-events'
import { orderEventTypes } from '../../../src/events/contract/order-events'
import { aggregateOf, decodeEvent, EVENT_VERSION } from '../../../src/events/contract/souk-event'
import { webhookEndpointEventTypes } from '../../../src/events/contract/webhook-endpoint-events'
import type { EventEnvelope } from '../../../src/events/event-envelope'
import { consumerNames, consumerOfQueue, subscriptions } from '../../../src/events/event-subscriptions'

const envelope = (type: string, data: unknown, version = EVENT_VERSION): EventEnvelope => ({
  id: 'evt_01m88jqa37acnyazb5evhqw3zy',
  type,
  version,
  aggregateId: 'agg_1',
  seq: 1,
  occurredAt: '2030-01-01T00:00:00.000Z',
  data,
})

const declared = [...listingEventTypes, ...orderEventTypes, ...accountEventTypes, ...webhookEndpointEventTypes]

describe('the event contract', () => {
  it('puts every declared type in exactly one aggregate', () => {
    expect(new Set(declared).size).toBe(declared.length)
    for (const t of listingEventTypes) expect(aggregateOf(t)).toBe('listing')
    for (const t of orderEventTypes) expect(aggregateOf(t)).toBe('order')
    for (const t of accountEventTypes) expect(aggregateOf(t)).toBe('account')
    for (const t of webhookEndpointEventTypes) expect(aggregateOf(t)).toBe('webhook_endpoint')
  })

  it('decodes an undeclared type, or an undeclared version of a declared one, to nothing', () => {
    expect(decodeEvent(envelope('order.teleported', {}))).toBeUndefined()
    expect(decodeEvent(envelope('health.probe', {}))).toBeUndefined()
    expect(decodeEvent(envelope('account.frozen', { userId: 'usr_1', by: 'usr_2' }, 2))).toBeUndefined()
  })

  it('decodes a declared type into its aggregate’s typed event', () => {
    expect(decodeEvent(envelope('account.frozen', { userId: 'usr_1', by: 'usr_2' }))).toMatchObject({ aggregate: 'account', event: { type: 'account.frozen', data: { userId: 'usr_1', by: 'usr_2' } } })
  })

  it('throws on a declared type whose data does not match, and never returns undecoded data (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...declared), fc.anything(), (type, data) => {
        let decoded
        try {
          decoded = decodeEvent(envelope(type, data))
        } catch {
          return // refused: the consumer retries it into the dead-letter queue
        }
        expect(decoded?.event.type).toBe(type)
      }),
    )
    expect(() => decodeEvent(envelope('order.paid', { orderId: 'ord_1' }))).toThrow()
    expect(() => decodeEvent(envelope('bid.placed', { bidId: 'bid_1' }))).toThrow() // no listing snapshot either
  })

  it('reads a listing snapshot stored before photos as one with none, and keeps the photos of a newer one', () => {
    const listing = { id: 'lst_1', sellerId: 'usr_1', title: 'Lamp', description: '', category: 'home', format: 'fixed_price', status: 'active', version: 1, currency: 'USD', acceptsOffers: false, createdAt: 'x', updatedAt: 'x' }
    expect(decodeEvent(envelope('listing.created', { listing }))).toMatchObject({ aggregate: 'listing', listing: { id: 'lst_1', images: [] } })
    const images = [{ id: 'img_1', url: '/images/listings/lst_1/img_1' }]
    expect(decodeEvent(envelope('listing.images_changed', { added: ['img_1'], removed: [], listing: { ...listing, images } }))).toMatchObject({ event: { data: { added: ['img_1'] } }, listing: { images } })
    expect(() => decodeEvent(envelope('listing.created', { listing: { ...listing, images: [{ id: 'img_1' }] } }))).toThrow()
  })
})

describe('subscriptions', () => {
  it('give each consumer its own queue, and only declared types', () => {
    const queues = consumerNames.map((n) => subscriptions[n].queue)
    expect(new Set(queues).size).toBe(queues.length)
    for (const name of consumerNames) for (const type of subscriptions[name].types) expect(declared, `${name} takes ${type}`).toContain(type)
  })

  it('leave no declared type without a consumer', () => {
    const taken = new Set(consumerNames.flatMap((n) => [...subscriptions[n].types]))
    for (const type of declared) expect(taken.has(type), type).toBe(true)
  })

  it.each([
    ['souk-events-projection', 'projection'],
    ['souk-events-webhooks', 'webhooks'],
    ['souk-events-webhooks-staging', 'webhooks'],
    ['souk-events-auction-orders', 'auction-orders'],
    ['souk-events-live', 'live'],
    ['souk-events-polls', 'polls'],
    ['souk-events', undefined],
    ['souk-webhooks', undefined],
    ['souk-events-livestock', undefined],
  ])('find the consumer of queue %s', (queue, consumer) => {
    expect(consumerOfQueue(queue)).toBe(consumer)
  })
})
