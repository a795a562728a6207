import { database } from '../db/client'
import type { SoukEvent } from '../events/contract/souk-event'
import { projectListing } from './listing-read-store'

/**
 * The `projection` consumer: listing events into the D1 read model. Every listing event carries
 * the listing's public snapshot after it, so one upsert guarded by `seq` applies it: idempotent (a
 * redelivery writes nothing new) and ordered (an older event never overwrites a newer one).
 */
export async function projectListingEvent(e: SoukEvent, env: Env): Promise<void> {
  if (e.aggregate !== 'listing') return
  await projectListing(database(env.DB), e.listing, e.envelope.seq)
}
