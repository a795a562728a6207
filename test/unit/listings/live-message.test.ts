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

  it.each(['bid.placed', 'auction.extended', 'stock.reserved', 'offer.created'])('sends %s with what it changed and no snapshot', (type) => {
    expect(liveMessage(stored(type, { bidCount: 3 })).data).toEqual({ bidCount: 3 })
  })

  it.each(['listing.created', 'listing.updated', 'listing.withdrawn', 'listing.sold_out'])('sends %s with the whole listing', (type) => {
    expect(liveMessage(stored(type, { changed: ['description'] })).data).toEqual({ changed: ['description'], listing })
  })
})
