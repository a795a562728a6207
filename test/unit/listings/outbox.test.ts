import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatId } from '../../../src/core/ids'
import { EventEnvelope } from '../../../src/events/event-envelope'
import { listingView } from '../../../src/listings/listing-view'
import type { StoredEvent } from '../../../src/listings/live-message'
import { queueBatches } from '../../../src/core/queue-batches'
import { toEnvelope } from '../../../src/listings/outbox'
import { at, LISTING_ID, openFixed, usd } from './fixtures'

/** Cloudflare Queues take at most 100 messages and 256 KB per sendBatch; Souk aims for 200 KB. */
const MAX_MESSAGES = 100
const BUDGET_BYTES = 200 * 1024
const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length
/** What the queue is sent for a batch: each event's envelope as JSON, counted in UTF-8 bytes. */
const batchBytes = (batch: StoredEvent[]): number => batch.reduce((n, e) => n + utf8Bytes(JSON.stringify(toEnvelope(LISTING_ID, e))), 0)

function event(seq: number, description = 'Stoneware'): StoredEvent {
  return {
    id: formatId('evt', at(seq).getTime(), new Uint8Array(10).fill(seq % 256)),
    seq,
    type: 'listing.updated',
    version: 1,
    occurredAt: at(seq).toISOString(),
    data: { changed: ['description'], listing: listingView({ ...openFixed(), description }, at(seq)) },
    private: {},
  }
}

const seqsOf = (batches: StoredEvent[][]): number[] => batches.flat().map((e) => e.seq)

describe('queueBatches, on the outbox’s events', () => {
  it('sends nothing for nothing', () => {
    expect(queueBatches([])).toEqual([])
  })

  it('splits small events into batches of at most 100, in order', () => {
    const events = Array.from({ length: 250 }, (_, i) => event(i + 1))
    const batches = queueBatches(events)
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50])
    expect(seqsOf(batches)).toEqual(events.map((e) => e.seq))
  })

  it('starts a new batch before the byte budget is passed', () => {
    const events = Array.from({ length: 12 }, (_, i) => event(i + 1, 'x'.repeat(19_000))) // ~20 KB each
    const batches = queueBatches(events)
    expect(batches.length).toBeGreaterThan(1)
    for (const b of batches) expect(batchBytes(b)).toBeLessThanOrEqual(BUDGET_BYTES)
    expect(seqsOf(batches)).toEqual(events.map((e) => e.seq))
  })

  it('keeps the byte budget in UTF-8 bytes, as the queue counts them, for descriptions in any script', () => {
    // 20,000 characters is the longest description a listing may have; CJK takes 3 bytes a character.
    const events = Array.from({ length: 12 }, (_, i) => event(i + 1, '椅'.repeat(20_000)))
    for (const b of queueBatches(events)) expect(batchBytes(b)).toBeLessThanOrEqual(BUDGET_BYTES)
  })

  // One script per listing (a description is written in one language), lengths up to the 20,000-character limit.
  const scriptArb = fc.constantFrom('a', 'é', '椅', '😀')
  const lengthArb = fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 20_000 }) })

  it('never drops, duplicates or reorders an event, nor puts more than 100 in a batch', () => {
    fc.assert(
      fc.property(scriptArb, fc.array(lengthArb, { maxLength: 250, size: 'max' }), (ch, lengths) => {
        const events = lengths.map((n, i) => event(i + 1, ch.repeat(n)))
        const batches = queueBatches(events)
        expect(seqsOf(batches)).toEqual(events.map((e) => e.seq))
        for (const b of batches) {
          expect(b.length).toBeGreaterThan(0)
          expect(b.length).toBeLessThanOrEqual(MAX_MESSAGES)
        }
      }),
      { numRuns: 60 },
    )
  })

  it('never puts more than the byte budget in a batch of several events, in any script', () => {
    fc.assert(
      fc.property(scriptArb, fc.array(lengthArb, { maxLength: 250, size: 'max' }), (ch, lengths) => {
        const events = lengths.map((n, i) => event(i + 1, ch.repeat(n)))
        for (const b of queueBatches(events)) if (b.length > 1) expect(batchBytes(b)).toBeLessThanOrEqual(BUDGET_BYTES)
      }),
      { numRuns: 60 },
    )
  })
})

describe('toEnvelope', () => {
  it('wraps a stored event in the queue’s envelope, keyed by the listing, private part included', () => {
    const e = { ...event(3), private: { holderId: 'usr_b1', unitPrice: usd(4_000) } }
    const envelope = toEnvelope(LISTING_ID, e)
    expect(envelope).toEqual({ id: e.id, type: e.type, version: 1, aggregateId: LISTING_ID, seq: 3, occurredAt: e.occurredAt, data: e.data, private: e.private })
    expect(EventEnvelope.parse(envelope)).toEqual(envelope)
  })
})
