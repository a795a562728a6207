import { database } from '../db/client'
import type { SoukEvent } from '../events/contract/souk-event'
import type { OfferSnapshot } from '../events/contract/listing-events'
import type { ListingView } from './listing-view'
import { listingUpsert } from './listing-read-store'
import { offerUpsert } from './offer-read-store'

/**
 * The `projection` consumer: listing events into the D1 read models of listings and offers. Every
 * listing event carries the listing's public snapshot after it, and every offer event the offer's,
 * so a batch comes down to each listing's and each offer's newest snapshot, written in one D1
 * batch, each upsert guarded by `seq`: idempotent (a redelivery writes nothing new) and ordered (an
 * older event never overwrites a newer one, whichever batch it came in).
 */
export async function projectListingEvents(events: SoukEvent[], env: Env): Promise<void> {
  const listings = new Map<string, { view: ListingView; seq: number }>()
  const offers = new Map<string, { view: OfferSnapshot; seq: number }>()
  for (const e of events) {
    if (e.aggregate !== 'listing') continue
    keepNewest(listings, e.listing.id, e.listing, e.envelope.seq)
    const offer = 'offer' in e.event.private ? e.event.private.offer : undefined
    if (offer) keepNewest(offers, offer.id, offer, e.envelope.seq)
  }
  const db = database(env.DB)
  const [first, ...rest] = [
    ...[...listings.values()].map(({ view, seq }) => listingUpsert(db, view, seq, 'newer')),
    ...[...offers.values()].map(({ view, seq }) => offerUpsert(db, view, seq, 'newer')),
  ]
  if (first) await db.batch([first, ...rest])
}

function keepNewest<T>(newest: Map<string, { view: T; seq: number }>, id: string, view: T, seq: number): void {
  const seen = newest.get(id)
  if (!seen || seq > seen.seq) newest.set(id, { view, seq })
}
