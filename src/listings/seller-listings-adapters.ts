import { accountStub } from '../accounts/account-adapters'
import type { Logger } from '../core/logger'
import { runGrouped } from '../core/run-grouped'
import { atPrimary } from '../db/client'
import { listingStub } from './listing-object'
import { listingUpsert, sellerListingIds } from './listing-read-store'
import type { SellerStanding } from './listing-state'
import type { ListingView } from './listing-view'
import { projectOwnWrite } from './own-write-store'

/** Listing objects told at once; a seller has a few hundred listings at most. */
const FAN_OUT = 8
/** Read-model rows per D1 batch. */
const UPSERTS_PER_BATCH = 50
/** Past the payment window, an ended auction holds nothing a freeze must stop; this margin covers clocks. */
const ENDED_MARGIN_MS = 60 * 60 * 1000

export class SellerListingsUnreached extends Error {
  constructor(readonly failed: string[]) {
    super(`${failed.length} listing(s) could not be told of the seller's standing`)
  }
}

/**
 * A freeze or an unfreeze reaches the seller's listings (seller-standing.ts): each listing object
 * hears the account's standing (with its seq, so a late or repeated word never undoes a newer one),
 * and the read model takes each listing's new snapshot in the same guarded upsert the projection
 * consumer uses, before the staff request is answered: search hides a suspended listing at once.
 * The ids come from the read model; a listing made as the freeze ran and not yet there checks its
 * seller itself (`settleNewListing`). Throws SellerListingsUnreached when an object did not answer:
 * repeating the freeze (or unfreeze) finishes the work.
 */
export async function tellSellerListings(env: Env, sellerId: string, standing: SellerStanding, auctionPaymentMs: number, now: Date, log: Logger): Promise<number> {
  const session = atPrimary(env.DB)
  const endedSince = new Date(now.getTime() - auctionPaymentMs - ENDED_MARGIN_MS).toISOString()
  const ids = await sellerListingIds(session.db, sellerId, endedSince)
  const views: ListingView[] = []
  const failed: string[] = []
  await runGrouped(ids, (id) => id, FAN_OUT, async (id) => {
    try {
      const view = await listingStub(env, id).setSellerStanding(standing)
      if (view) views.push(view)
    } catch (err) {
      log.warn('seller_standing_unsent', { listingId: id, sellerId, err })
      failed.push(id)
    }
  })
  for (let i = 0; i < views.length; i += UPSERTS_PER_BATCH) {
    const [first, ...rest] = views.slice(i, i + UPSERTS_PER_BATCH).map((v) => listingUpsert(session.db, v, v.version, 'newer'))
    if (first) await session.db.batch([first, ...rest])
  }
  if (failed.length > 0) throw new SellerListingsUnreached(failed)
  return views.length
}

/**
 * A listing just made, checked against its seller's account itself (not an isolate's cached
 * answer) once it is in the read model: a freeze that read the seller's listings before this one
 * was there has frozen the account by now, so the listing suspends itself. Asked again after
 * each change, so an unfreeze that came meanwhile is heard too. Not a hot path: once per listing.
 */
export async function settleNewListing(env: Env, view: ListingView, log: Logger): Promise<ListingView> {
  const account = accountStub(env, view.sellerId)
  let standing = await account.frozenStanding()
  let current = view
  for (let attempt = 0; attempt < 3 && standing; attempt++) {
    if (!standing.frozen && current.suspended !== true) return current
    current = (await listingStub(env, view.id).setSellerStanding(standing)) ?? current
    await projectOwnWrite(env.DB, current, log)
    const again = await account.frozenStanding()
    if (!again || again.seq === standing.seq) return current
    standing = again
  }
  return current
}
