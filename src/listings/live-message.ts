import type { ListingView } from './listing-view'

/**
 * An event as the live channel sends it: `{ seq, type, data }`, public data only. The listing
 * snapshot rides along without its description (which can be long and rarely changes) except on
 * the events that change it.
 */
export type StoredEvent = {
  id: string
  seq: number
  type: string
  version: number
  occurredAt: string
  data: Record<string, unknown> & { listing: ListingView }
  private: Record<string, unknown>
}

export type LiveMessage = { seq: number; type: string; data: Record<string, unknown> }

const describes = new Set(['listing.created', 'listing.updated'])

export function liveMessage(e: StoredEvent): LiveMessage {
  if (describes.has(e.type)) return { seq: e.seq, type: e.type, data: e.data }
  const { description: _omitted, ...listing } = e.data.listing
  return { seq: e.seq, type: e.type, data: { ...e.data, listing } }
}
