import type { ListingView } from './listing-view'

/** How far behind a watcher (or a relay) may be and still be sent the missed events one by one; further behind, one `live.resync`. */
export const MAX_REPLAY = 1000

/**
 * An event as the live channel sends it: `{ seq, type, data }`, public data only. The full listing
 * snapshot rides along only on `listing.*` events; the others carry what they changed (price,
 * bid count, end, stock), which keeps the messages a hot auction sends to every watcher small.
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

export function liveMessage(e: StoredEvent): LiveMessage {
  if (e.type.startsWith('listing.')) return { seq: e.seq, type: e.type, data: e.data }
  const { listing: _snapshot, ...data } = e.data
  return { seq: e.seq, type: e.type, data }
}

/**
 * What a watcher more than MAX_REPLAY events behind gets instead of them: the listing as it
 * stands at `seq`, and how many events that stands for.
 */
export function resyncMessage(seq: number, listing: ListingView, missed: number): LiveMessage {
  return { seq, type: 'live.resync', data: { listing, missed } }
}
