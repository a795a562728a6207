import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { listingRegistry, listings, offerViews, readModelRebuilds } from '../db/schema'
import { listingUpsert } from './listing-read-store'
import { offerUpsert } from './offer-read-store'
import { firstPhase, leaseUntil, stalledBefore, type ClearingPhase, type ListingSnapshot, type Rebuild, type RebuildPhase } from './read-model-rebuild'

/** The D1 side of read-model rebuilds: their rows, the listing registry they walk, the upserts. */


export type StartOutcome = { started: Rebuild; abandoned: string[] } | { running: Rebuild }

/**
 * Starts a rebuild unless one is running (the partial unique index decides, so two starts at once
 * cannot both win). A running rebuild that has not moved for `STALLED_AFTER_MS` is marked
 * `abandoned` first: its chain of steps ended in the dead-letter queue.
 */
export async function startRebuild(db: Db, r: { id: string; requestedBy: string; chunkSize: number; now: Date; fromScratch?: boolean }): Promise<StartOutcome> {
  const at = r.now.toISOString()
  const [abandoned, inserted] = await db.batch([
    db
      .update(readModelRebuilds)
      .set({ status: 'abandoned', finishedAt: at, updatedAt: at, leaseUntil: null })
      .where(and(eq(readModelRebuilds.status, 'running'), lte(readModelRebuilds.updatedAt, stalledBefore(r.now))))
      .returning({ id: readModelRebuilds.id }),
    db
      .insert(readModelRebuilds)
      .values({
        id: r.id,
        status: 'running',
        requestedBy: r.requestedBy,
        chunkSize: r.chunkSize,
        fromScratch: r.fromScratch ?? false,
        phase: firstPhase(r.fromScratch ?? false),
        cleared: 0,
        total: sql`(SELECT count(*) FROM ${listingRegistry})`,
        step: 0,
        cursor: null,
        processed: 0,
        missing: 0,
        leaseUntil: null,
        startedAt: at,
        updatedAt: at,
        finishedAt: null,
      })
      .onConflictDoNothing()
      .returning(),
  ])
  const started = inserted[0]
  if (started) return { started, abandoned: abandoned.map((a) => a.id) }
  const running = await db.select().from(readModelRebuilds).where(eq(readModelRebuilds.status, 'running')).get()
  // The running one finished between the two statements: nothing stands in the way any more.
  return running ? { running } : startRebuild(db, r)
}

export async function rebuildById(db: Db, id: string): Promise<Rebuild | undefined> {
  return db.select().from(readModelRebuilds).where(eq(readModelRebuilds.id, id)).get()
}

/** Gives a rebuild up at once (its first step could not be queued). */
export async function abandonRebuild(db: Db, id: string, now: Date): Promise<void> {
  const at = now.toISOString()
  await db.update(readModelRebuilds).set({ status: 'abandoned', finishedAt: at, updatedAt: at }).where(and(eq(readModelRebuilds.id, id), eq(readModelRebuilds.status, 'running')))
}

/**
 * Leases step `step`'s chunk to this delivery: only while the rebuild runs, the step is the next
 * one and no other delivery holds an unexpired lease on it. Answers the rebuild, or undefined.
 */
export async function claimStep(db: Db, id: string, step: number, now: Date): Promise<Rebuild | undefined> {
  const at = now.toISOString()
  const [claimed] = await db
    .update(readModelRebuilds)
    .set({ leaseUntil: leaseUntil(now), updatedAt: at })
    .where(
      and(
        eq(readModelRebuilds.id, id),
        eq(readModelRebuilds.status, 'running'),
        eq(readModelRebuilds.step, step),
        or(isNull(readModelRebuilds.leaseUntil), lte(readModelRebuilds.leaseUntil, at)),
      ),
    )
    .returning()
  return claimed
}

/** The next `limit` registered listing ids after `cursor`, in id order. */
export async function registeredAfter(db: Db, cursor: string | null, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: listingRegistry.id })
    .from(listingRegistry)
    .where(cursor === null ? undefined : gt(listingRegistry.id, cursor))
    .orderBy(asc(listingRegistry.id))
    .limit(limit)
  return rows.map((r) => r.id)
}

/**
 * Applies snapshots in one batch, each under the seq guard: a row at a newer seq (a live event
 * projected meanwhile) is left as it is; one at the same seq is rewritten from the snapshot.
 */
export async function applySnapshots(db: Db, snapshots: readonly ListingSnapshot[]): Promise<void> {
  const [first, ...rest] = snapshots.flatMap((s) => [
    listingUpsert(db, s.listing, s.seq, 'same-or-newer'),
    // At the listing's seq, which no earlier event of its offers passes.
    ...s.offers.map((o) => offerUpsert(db, o, s.seq, 'same-or-newer')),
  ])
  if (first) await db.batch([first, ...rest])
}

/**
 * Deletes the first `limit` rows after `cursor` (id order) of the table `phase` clears, in one
 * statement; `listings_fts` loses each row's entry by its delete trigger. Answers the ids deleted.
 */
export async function clearAfter(db: Db, phase: ClearingPhase, cursor: string | null, limit: number): Promise<string[]> {
  const table = phase === 'clearing_listings' ? listings : offerViews
  const first = db
    .select({ id: table.id })
    .from(table)
    .where(cursor === null ? undefined : gt(table.id, cursor))
    .orderBy(asc(table.id))
    .limit(limit)
  const deleted = await db.delete(table).where(inArray(table.id, first)).returning({ id: table.id })
  return deleted.map((d) => d.id)
}

/** Clearing step `step` is done: the row takes its phase and cursor and counts what it removed. Answers the rebuild, or undefined when another delivery recorded it first. */
export async function recordClearing(db: Db, id: string, step: number, done: { phase: RebuildPhase; cursor: string | null; cleared: number }, now: Date): Promise<Rebuild | undefined> {
  const [moved] = await db
    .update(readModelRebuilds)
    .set({
      step: step + 1,
      phase: done.phase,
      cursor: done.cursor,
      cleared: sql`${readModelRebuilds.cleared} + ${done.cleared}`,
      leaseUntil: null,
      updatedAt: now.toISOString(),
    })
    .where(and(eq(readModelRebuilds.id, id), eq(readModelRebuilds.status, 'running'), eq(readModelRebuilds.step, step)))
    .returning()
  return moved
}

/** Step `step` is done: the walk moves past `cursor`. False when another delivery recorded it first. */
export async function recordStep(db: Db, id: string, step: number, done: { cursor: string; processed: number; missing: number }, now: Date): Promise<boolean> {
  const moved = await db
    .update(readModelRebuilds)
    .set({
      step: step + 1,
      cursor: done.cursor,
      processed: sql`${readModelRebuilds.processed} + ${done.processed}`,
      missing: sql`${readModelRebuilds.missing} + ${done.missing}`,
      leaseUntil: null,
      updatedAt: now.toISOString(),
    })
    .where(and(eq(readModelRebuilds.id, id), eq(readModelRebuilds.status, 'running'), eq(readModelRebuilds.step, step)))
    .returning({ id: readModelRebuilds.id })
  return moved.length === 1
}

/** The walk found no listing after its cursor: the rebuild is done. Answers it, or undefined if another delivery finished it. */
export async function finishRebuild(db: Db, id: string, step: number, now: Date): Promise<Rebuild | undefined> {
  const at = now.toISOString()
  const [finished] = await db
    .update(readModelRebuilds)
    .set({ status: 'done', leaseUntil: null, updatedAt: at, finishedAt: at })
    .where(and(eq(readModelRebuilds.id, id), eq(readModelRebuilds.status, 'running'), eq(readModelRebuilds.step, step)))
    .returning()
  return finished
}
