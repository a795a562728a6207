import { and, desc, eq, lt } from 'drizzle-orm'
import type { DrizzleD1Database } from 'drizzle-orm/d1'
import { offerViews } from '../db/schema'
import type { OfferSnapshot } from '../events/contract/listing-events'
import { seqGuard, type SeqOrder } from './listing-read-store'
import type { OfferStatus } from './listing-state'

/** The D1 side of offers across listings: the offers read model (schema: `offers`). */

export type OfferRole = 'buyer' | 'seller'

/**
 * The upsert of an offer as it stood at the listing's event `seq`, to await or batch. `newer`
 * writes only over an older seq (events); `same-or-newer` rewrites a row at the same seq too (a
 * rebuild). Idempotent and order-safe: a redelivered or late, older event changes nothing.
 */
export function offerUpsert<S extends Record<string, unknown>>(db: DrizzleD1Database<S>, offer: OfferSnapshot, seq: number, over: SeqOrder) {
  const row = { id: offer.id, listingId: offer.listingId, buyerId: offer.buyerId, sellerId: offer.sellerId, status: offer.status, lastSeq: seq, view: offer }
  const { id: _id, ...changes } = row
  return db.insert(offerViews).values(row).onConflictDoUpdate({ target: offerViews.id, set: changes, setWhere: seqGuard(offerViews.lastSeq, over) })
}

export type CallerOffersQuery = { userId: string; role: OfferRole; status?: OfferStatus; before?: string; limit: number }

/** The caller's offers as buyer or as seller, newest first (ids sort by creation), `limit + 1` of them for paging. */
export async function callerOffers<S extends Record<string, unknown>>(db: DrizzleD1Database<S>, q: CallerOffersQuery): Promise<OfferSnapshot[]> {
  const party = q.role === 'buyer' ? offerViews.buyerId : offerViews.sellerId
  const rows = await db
    .select({ view: offerViews.view })
    .from(offerViews)
    .where(and(eq(party, q.userId), q.status ? eq(offerViews.status, q.status) : undefined, q.before ? lt(offerViews.id, q.before) : undefined))
    .orderBy(desc(offerViews.id))
    .limit(q.limit + 1)
  return rows.map((r) => r.view as OfferSnapshot)
}
