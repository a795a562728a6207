import type { OfferSnapshot } from '../events/contract/listing-events'
import type { ListingView } from './listing-view'

/**
 * Rebuilding the read models (search's listings, and the offers) from the listing objects (docs/OPERATIONS.md "The read model"):
 * the rules of the walk, free of I/O. A rebuild walks the listing registry in id order, a chunk per
 * step; each step is one message on the jobs queue, and the rebuild's row in D1 says which step is
 * next. A step sends its successor before it records itself done, so a crash never ends the walk;
 * a step that finds itself already done, or its chunk leased to another delivery, never runs it.
 */

/** What a rebuild applies of one listing: its view as its last event left it, that event's seq, every offer it holds (live and archived). */
export type ListingSnapshot = { listing: ListingView; seq: number; offers: OfferSnapshot[] }

export const rebuildStatuses = ['running', 'done', 'abandoned'] as const
export type RebuildStatus = (typeof rebuildStatuses)[number]

/**
 * Where a rebuild is: a rebuild from scratch first empties the read model, `listings` (its FTS rows
 * go with each row, by trigger) and then `offers`, a chunk per step in id order; every rebuild then
 * walks the registry. `listing_registry` is never cleared: it is what the walk walks.
 */
export const rebuildPhases = ['clearing_listings', 'clearing_offers', 'walking'] as const
export type RebuildPhase = (typeof rebuildPhases)[number]
export type ClearingPhase = Exclude<RebuildPhase, 'walking'>

export const firstPhase = (fromScratch: boolean): RebuildPhase => (fromScratch ? 'clearing_listings' : 'walking')

/**
 * What a clearing step leaves on the rebuild's row, given the ids it deleted (the first `limit`
 * after its cursor): the cursor moves to the last of them; fewer than `limit` means the table had
 * no more after the cursor, so the next phase starts from the beginning (cursor null). Rows a live
 * event projects behind the cursor meanwhile stay: they are newer than anything the walk would write.
 */
export function afterClearing(phase: ClearingPhase, deleted: readonly string[], limit: number): { phase: RebuildPhase; cursor: string | null; cleared: number } {
  const cleared = deleted.length
  if (cleared === 0 || cleared < limit) return { phase: phase === 'clearing_listings' ? 'clearing_offers' : 'walking', cursor: null, cleared }
  return { phase, cursor: deleted.reduce((a, b) => (b > a ? b : a)), cleared }
}

/** A rebuild as its row keeps it and the admin routes show it. */
export type Rebuild = {
  id: string
  status: RebuildStatus
  requestedBy: string
  chunkSize: number
  /** Started with `fromScratch`: the read model is emptied before the walk. */
  fromScratch: boolean
  phase: RebuildPhase
  /** Read-model rows (listings and offers) a from-scratch rebuild removed so far. */
  cleared: number
  /** Listings registered when it started (later ones are walked too, so `processed` may pass it). */
  total: number
  /** The next step to run; 0 before the first. */
  step: number
  /** The last listing id walked (while clearing: the last row id deleted); null before the phase's first chunk. */
  cursor: string | null
  /** Listings whose snapshot was applied. */
  processed: number
  /** Registered ids whose object holds no listing (its storage is gone): nothing to apply. It should stay 0. */
  missing: number
  /** Until when the current step's chunk belongs to the delivery running it. */
  leaseUntil: string | null
  startedAt: string
  updatedAt: string
  finishedAt: string | null
}

export const DEFAULT_CHUNK_SIZE = 100
/** Snapshots asked of listing objects at once within a chunk. */
export const SNAPSHOTS_AT_ONCE = 10
/** Long enough for one chunk (about a second); a delivery that dies holding it frees it after this. */
export const STEP_LEASE_MS = 30_000
/**
 * A running rebuild with no progress for this long has stopped: its step was dead-lettered after
 * the jobs queue's retries (about 20 minutes of backoff). A new rebuild may then take its place.
 */
export const STALLED_AFTER_MS = 30 * 60_000

/** What a step's delivery does when it could not claim its chunk. */
export type UnclaimedStep = 'drop' | 'wait'

/**
 * Its rebuild is over or gone, or this step already ran (a redelivery, a duplicate): drop it.
 * Otherwise the step before is still recording itself, or another delivery holds the chunk: wait.
 */
export function unclaimedStep(rebuild: Pick<Rebuild, 'status' | 'step'> | undefined, step: number): UnclaimedStep {
  if (!rebuild || rebuild.status !== 'running' || rebuild.step > step) return 'drop'
  return 'wait'
}

/** The time before which a running rebuild that has not moved since counts as stopped. */
export function stalledBefore(now: Date): string {
  return new Date(now.getTime() - STALLED_AFTER_MS).toISOString()
}

export function leaseUntil(now: Date): string {
  return new Date(now.getTime() + STEP_LEASE_MS).toISOString()
}

/** The progress of one chunk: applied snapshots and registered ids with no listing behind them. */
export function chunkProgress(snapshots: readonly (object | null)[]): { processed: number; missing: number } {
  const missing = snapshots.filter((s) => s === null).length
  return { processed: snapshots.length - missing, missing }
}
