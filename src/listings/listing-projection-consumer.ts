import { database } from '../db/client'
import type { SoukEvent } from '../events/contract/souk-event'
import type { ListingView } from './listing-view'
import { listingUpsert } from './listing-read-store'

/**
 * The `projection` consumer: listing events into the D1 read model. Every listing event carries
 * the listing's public snapshot after it, so a batch comes down to each listing's newest snapshot,
 * written in one D1 batch, each upsert guarded by `seq`: idempotent (a redelivery writes nothing
 * new) and ordered (an older event never overwrites a newer one, whichever batch it came in).
 */
export async function projectListingEvents(events: SoukEvent[], env: Env): Promise<void> {
  const newest = new Map<string, { view: ListingView; seq: number }>()
  for (const e of events) {
    if (e.aggregate !== 'listing') continue
    const seen = newest.get(e.listing.id)
    if (!seen || e.envelope.seq > seen.seq) newest.set(e.listing.id, { view: e.listing, seq: e.envelope.seq })
  }
  const db = database(env.DB)
  const [first, ...rest] = [...newest.values()].map(({ view, seq }) => listingUpsert(db, view, seq, 'newer'))
  if (first) await db.batch([first, ...rest])
}
