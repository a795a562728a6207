import type { ListingView } from './listing-view'

/**
 * An event as the live channel sends it: `{ seq, type, data }`, public data only. The listing
 * snapshot rides along without its description (which can be long and rarely changes) except on
 * the events that change it.
 */
/**
 * JSON as it crosses RPC and the queue, four levels deep: RPC's serializable types reject
 * `unknown` and recurse forever on a recursive JSON type.
 */
type Json0 = string | number | boolean | null | undefined
type Json1 = Json0 | Json0[] | { [key: string]: Json0 }
type Json2 = Json1 | Json1[] | { [key: string]: Json1 }
type Json3 = Json2 | Json2[] | { [key: string]: Json2 }
export type JsonValue = Json3 | Json3[] | { [key: string]: Json3 }
type JsonObject = { [key: string]: JsonValue }

export type StoredEvent = {
  id: string
  seq: number
  type: string
  version: number
  occurredAt: string
  data: JsonObject & { listing: ListingView }
  private: JsonObject
}

export type LiveMessage = { seq: number; type: string; data: JsonObject }

const describes = new Set(['listing.created', 'listing.updated'])

export function liveMessage(e: StoredEvent): LiveMessage {
  if (describes.has(e.type)) return { seq: e.seq, type: e.type, data: e.data }
  const { description: _omitted, ...listing } = e.data.listing
  return { seq: e.seq, type: e.type, data: { ...e.data, listing } }
}
