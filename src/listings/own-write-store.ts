import type { Logger } from '../core/logger'
import { isTransient } from '../core/transient-error'
import { atPrimary } from '../db/client'
import { listingUpsert } from './listing-read-store'
import type { ListingView } from './listing-view'

/**
 * A seller's own change, in the read model before their request is answered (docs/LISTINGS.md
 * "Read-your-writes"). `view` is what the listing's command answered: the snapshot its last event
 * carries, whose `version` is that event's seq. It is upserted at the primary under the
 * projection's guard, so the events' later delivery finds the row there and writes nothing, and
 * a newer change already projected is never undone. Answers the session's bookmark for the client.
 *
 * The listing has changed whatever happens here, so a failure is logged, not thrown: the
 * projection consumer writes the row from the events, and the client only loses read-your-writes.
 */
export async function projectOwnWrite(d1: D1Database, view: ListingView, log: Logger): Promise<string | null> {
  try {
    const session = atPrimary(d1)
    await listingUpsert(session.db, view, view.version, 'newer')
    return session.bookmark()
  } catch (err) {
    const level = isTransient(err) ? 'warn' : 'error'
    log[level]('read_model_write_deferred', { listingId: view.id, version: view.version, err })
    return null
  }
}
