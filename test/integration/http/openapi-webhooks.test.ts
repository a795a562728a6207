import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { formatId } from '../../../src/core/ids'
import { subscriptions } from '../../../src/events/event-subscriptions'
import { endAuction, placeBid } from '../../../src/listings/auction'
import type { JsonValue, StoredEvent } from '../../../src/listings/live-message'
import { listingView } from '../../../src/listings/listing-view'
import { toEnvelope } from '../../../src/listings/outbox'
import { orderEventEnvelope } from '../../../src/orders/order-event'
import { webhookPayload } from '../../../src/webhook-endpoints/event-audience'
import { accepted, at, bid, HOUR, LISTING_ID, openAuction, RULES, SELLER } from '../../unit/listings/fixtures'
import { call, json } from '../support/api'

type Operation = { parameters: { name: string; in: string; required: boolean }[]; requestBody: { content: { 'application/json': { schema: object } } } }
type Doc = { webhooks: Record<string, { post: Operation }>; components: { schemas: Record<string, unknown> } }

/** A validator of `type`'s published payload, its `$ref`s resolved in the published document. */
function payloadValidator(doc: Doc, type: string) {
  const ajv = new Ajv2020({ strict: false })
  addFormats(ajv)
  return ajv.compile({ ...doc.webhooks[type]!.post.requestBody.content['application/json'].schema, components: doc.components })
}

/** A listing event as the listing store writes it and the outbox sends it: public data, the listing after it, private apart. */
function listingEnvelope(e: { type: string; data: Record<string, JsonValue>; private: Record<string, JsonValue> }, listing: ReturnType<typeof listingView>, seq: number) {
  const stored: StoredEvent = { id: formatId('evt', at(seq).getTime(), new Uint8Array(10).fill(seq)), seq, type: e.type, version: 1, occurredAt: at(seq).toISOString(), data: { ...e.data, listing }, private: e.private }
  return toEnvelope(LISTING_ID, stored)
}

describe('the OpenAPI webhooks section', () => {
  it('has one operation per event type an endpoint can receive, with the Standard Webhooks headers', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    expect(Object.keys(doc.webhooks).sort()).toEqual([...subscriptions.webhooks.types].sort())
    expect(doc.components.schemas.Listing).toBeDefined()
    for (const [type, { post }] of Object.entries(doc.webhooks)) {
      const headers = post.parameters.filter((p) => p.in === 'header' && p.required).map((p) => p.name)
      expect(headers, type).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature'])
      expect(JSON.stringify(post), type).not.toMatch(/"pattern":"[^"]*(?<!\\)\/[a-z]+"/)
      payloadValidator(doc, type)
    }
  })

  it('describes the payloads webhookPayload builds from real listing and order events', async () => {
    const doc = await json<Doc>(await call('/v1/openapi.json'))
    const bidding = accepted(placeBid(openAuction(), bid('usr_bidder', 2_000), at(1_000), RULES))
    const ended = accepted(endAuction(bidding.state, at(HOUR), RULES))
    const envelopes = [
      ...bidding.events.map((e, i) => listingEnvelope(e, listingView(bidding.state, at(1_000)), 2 + i)),
      ...ended.events.map((e, i) => listingEnvelope(e, listingView(ended.state, at(HOUR)), 3 + i)),
      ...(['pending_payment', 'paid', 'cancelled'] as const).map((status, i) =>
        orderEventEnvelope({
          eventId: formatId('evt', at(i).getTime(), new Uint8Array(10).fill(i)),
          orderId: 'ord_01m88jqa3nf9ty2gs0k5w3yncb',
          seq: i + 1,
          status,
          action: status === 'pending_payment' ? 'create' : status,
          actor: SELLER,
          reason: status === 'cancelled' ? 'buyer asked' : null,
          at: at(i).toISOString(),
          buyerId: 'usr_buyer',
          sellerId: SELLER,
          currency: 'USD',
          total: 2_000,
          items: [{ listingId: LISTING_ID, quantity: 1, unitPrice: 2_000 }],
        }),
      ),
    ]
    expect(new Set(envelopes.map((e) => e.type))).toEqual(new Set(['bid.placed', 'auction.ended', 'auction.won', 'stock.reserved', 'order.created', 'order.paid', 'order.cancelled']))
    for (const envelope of envelopes) {
      const payload = webhookPayload(envelope)
      const valid = payloadValidator(doc, envelope.type)
      expect(valid(payload), `${envelope.type}: ${JSON.stringify(valid.errors)}`).toBe(true)
      expect(valid({ ...payload, type: envelope.type === 'order.paid' ? 'order.created' : 'order.paid' }), envelope.type).toBe(false)
      const { seq: _, ...withoutSeq } = payload.data
      expect(valid({ ...payload, data: withoutSeq }), envelope.type).toBe(false)
    }
    const bidPlaced = payloadValidator(doc, 'bid.placed')
    const payload = webhookPayload(envelopes[0]!)
    const { listing: _, ...withoutListing } = payload.data
    expect(bidPlaced({ ...payload, data: withoutListing })).toBe(false)
  })
})
