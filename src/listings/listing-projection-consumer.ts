import { database } from '../db/client'
import type { EventEnvelope } from '../events/event-envelope'
import type { EventHandlers } from '../events/events-consumer'
import { ListingEventSchema, listingEventTypes } from './listing-events'
import { projectListing } from './listing-read-store'
import { ListingSchema } from './listing-schemas'

/**
 * Projects listing events into the D1 read model. Every listing event carries the listing's public
 * snapshot after it, so one upsert guarded by `seq` applies it: idempotent (a redelivery writes
 * nothing new) and ordered (an older event never overwrites a newer one). An event that does not
 * parse throws, so the queue retries it and, in the end, dead-letters it.
 */
export async function projectListingEvent(event: EventEnvelope, env: Env): Promise<void> {
  ListingEventSchema.parse({ type: event.type, data: event.data, private: event.private ?? {} })
  const view = ListingSchema.parse((event.data as { listing?: unknown }).listing)
  await projectListing(database(env.DB), view, event.seq)
}

export const listingProjectionHandlers: EventHandlers = Object.fromEntries(listingEventTypes.map((t) => [t, projectListingEvent]))
