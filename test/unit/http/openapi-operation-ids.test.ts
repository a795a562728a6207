import { describe, expect, it } from 'vitest'
import { operationIdOf, withOperationIds } from '../../../src/http/openapi-operation-ids'

describe('operationIdOf', () => {
  it('is the method and the words of the path after /v1, camelCase, a parameter as By<Name>', () => {
    expect(operationIdOf('get', '/v1/listings/{id}/bids')).toBe('getListingsByIdBids')
    expect(operationIdOf('post', '/v1/me/payouts')).toBe('postMePayouts')
    expect(operationIdOf('post', '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry')).toBe('postWebhookEndpointsByIdDeliveriesByDeliveryIdRetry')
    expect(operationIdOf('GET', '/health')).toBe('getHealth')
  })
})

describe('withOperationIds', () => {
  it("names every operation, keeps a route's own, and skips path-item keys that are no operation", () => {
    const paths = { '/v1/a': { get: {}, post: { operationId: 'makeA' }, parameters: {} } } as Record<string, Record<string, { operationId?: string }>>
    withOperationIds(paths)
    expect(paths['/v1/a']).toEqual({ get: { operationId: 'getA' }, post: { operationId: 'makeA' }, parameters: {} })
  })

  it('refuses two operations with one operationId', () => {
    expect(() => withOperationIds({ '/v1/a-b': { get: {} }, '/v1/a_b': { get: {} } })).toThrow(/share the operationId getAB/)
  })
})
