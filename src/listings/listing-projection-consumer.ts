import { database } from '../db/client'
import type { EventEnvelope } from '../events/event-envelope'
import type { EventHandlers } from '../events/events-consumer'
import { projectListing } from './listing-read-store'
import { ListingSchema } from './listing-schemas'
import type { ListingEventType } from './listing-events'

/**
 * Projects listing events into the D1 read model. Every listing event carries the listing's public
 * snapshot after it, so one upsert guarded by `seq` applies it: idempotent (a redelivery writes
 * nothing new) and ordered (an older event never overwrites a newer one).
 */
export async function projectListingEvent(event: EventEnvelope, env: Env): Promise<void> {
  const data = event.data as { listing?: unknown }
  const view = ListingSchema.parse(data.listing)
  await projectListing(database(env.DB), view, event.seq)
}

const listingEventTypes: ListingEventType[] = [
  'listing.created',
  'listing.updated',
  'listing.withdrawn',
  'listing.sold_out',
  'bid.placed',
  'auction.extended',
  'auction.ended',
  'auction.won',
  'stock.reserved',
  'stock.released',
  'stock.committed',
  'offer.created',
  'offer.accepted',
  'offer.declined',
  'offer.expired',
]

export const listingProjectionHandlers: EventHandlers = Object.fromEntries(listingEventTypes.map((t) => [t, projectListingEvent]))
