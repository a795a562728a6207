import { describe, expect, it } from 'vitest'
import { listingView } from '../../../src/listings/listing-view'
import { liveMessage, type StoredEvent } from '../../../src/listings/live-message'
import { at, openFixed, usd } from './fixtures'

const listing = listingView({ ...openFixed(), description: 'A very long description '.repeat(50) }, at(0))

const stored = (type: string, data: Record<string, unknown> = {}): StoredEvent => ({
  id: 'evt_1',
  seq: 7,
  type,
  version: 1,
  occurredAt: at(0).toISOString(),
  data: { ...data, listing },
  private: { holderId: 'usr_secret', maxAmount: usd(99_999) },
})

describe('liveMessage', () => {
  it('sends seq, type and public data only: never the private part', () => {
    const m = liveMessage(stored('stock.reserved', { quantity: 1, available: 0 }))
    expect(Object.keys(m).sort()).toEqual(['data', 'seq', 'type'])
    expect(m.seq).toBe(7)
    expect(m.type).toBe('stock.reserved')
    expect(JSON.stringify(m)).not.toContain('usr_secret')
    expect(JSON.stringify(m)).not.toContain('99999')
  })

  it('drops the description from the listing snapshot of events that do not change it, keeping the rest', () => {
    const { description: _d, ...rest } = listing
    const m = liveMessage(stored('bid.placed', { bidCount: 3 }))
    expect(m.data).toEqual({ bidCount: 3, listing: rest })
  })

  it.each(['listing.created', 'listing.updated'])('keeps the description on %s', (type) => {
    expect(liveMessage(stored(type, { changed: ['description'] })).data).toEqual({ changed: ['description'], listing })
  })
})
