import { z } from 'zod'
import type { Logger } from '../core/logger'
import { database, type Db } from '../db/client'
import { systemClock } from '../platform/runtime'
import { listingStub } from './listing-object'
import { afterClearing, chunkProgress, SNAPSHOTS_AT_ONCE, unclaimedStep, type ClearingPhase, type ListingSnapshot, type Rebuild } from './read-model-rebuild'
import { applySnapshots, claimStep, clearAfter, finishRebuild, rebuildById, recordClearing, recordStep, registeredAfter } from './read-model-rebuild-store'

/** One step of a read-model rebuild, as the jobs queue carries it. */
export const ReadModelRebuildJob = z.object({ kind: z.literal('read_model_rebuild'), rebuildId: z.string().min(1), step: z.number().int().min(0) })
export type ReadModelRebuildJob = z.infer<typeof ReadModelRebuildJob>

/** What a step needs of the world; tests wrap `snapshotOf` to race live events against a chunk. */
export type RebuildPorts = {
  db: Db
  snapshotOf: (listingId: string) => Promise<ListingSnapshot | null>
  queueStep: (job: ReadModelRebuildJob) => Promise<void>
  now: () => Date
  log: Logger
}

export function rebuildPorts(env: Env, log: Logger): RebuildPorts {
  return {
    db: database(env.DB),
    snapshotOf: (id) => listingStub(env, id).snapshot(),
    queueStep: async (job) => {
      await env.JOBS.send(job, { contentType: 'json' })
    },
    now: systemClock,
    log,
  }
}

/** Queues a rebuild's first step. */
export const firstStep = (rebuildId: string): ReadModelRebuildJob => ({ kind: 'read_model_rebuild', rebuildId, step: 0 })

/**
 * Runs one step (docs/OPERATIONS.md "The read model"): leases its chunk; while a rebuild from
 * scratch is clearing, deletes the chunk's read-model rows (`clearStep`); then applies the snapshot of
 * each listing in it (seq-guarded: a newer seq already in the read model stays), queues the next
 * step, then records this one. A crash anywhere repeats the step, which changes nothing twice; the
 * successor queued before the record waits until the record lands. `later` asks the queue to
 * deliver this message again after a backoff; `done` acks it.
 */
export async function runRebuildStep(p: RebuildPorts, job: ReadModelRebuildJob): Promise<'done' | 'later'> {
  const rebuild = await claimStep(p.db, job.rebuildId, job.step, p.now())
  if (!rebuild) return unclaimedStep(await rebuildById(p.db, job.rebuildId), job.step) === 'drop' ? 'done' : 'later'
  if (rebuild.phase !== 'walking') return clearStep(p, job, rebuild, rebuild.phase)
  const ids = await registeredAfter(p.db, rebuild.cursor, rebuild.chunkSize)
  const last = ids.at(-1)
  if (last === undefined) {
    const finished = await finishRebuild(p.db, rebuild.id, job.step, p.now())
    if (finished) {
      const seconds = Math.round((Date.parse(finished.updatedAt) - Date.parse(finished.startedAt)) / 1000)
      p.log.info('read_model_rebuild_finished', { rebuildId: finished.id, processed: finished.processed, missing: finished.missing, total: finished.total, seconds })
    }
    return 'done'
  }
  const snapshots: (ListingSnapshot | null)[] = []
  for (let i = 0; i < ids.length; i += SNAPSHOTS_AT_ONCE) snapshots.push(...(await Promise.all(ids.slice(i, i + SNAPSHOTS_AT_ONCE).map(p.snapshotOf))))
  await applySnapshots(p.db, snapshots.filter((s): s is ListingSnapshot => s !== null))
  await p.queueStep({ ...job, step: job.step + 1 })
  const progress = chunkProgress(snapshots)
  await recordStep(p.db, rebuild.id, job.step, { cursor: last, ...progress }, p.now())
  p.log.debug('read_model_rebuild_step', { rebuildId: rebuild.id, step: job.step, cursor: last, ...progress })
  return 'done'
}

/**
 * A clearing step: deletes the next chunk of `listings` (then of `offers`) after the cursor, queues
 * the next step, then records itself. A repeat after a crash deletes the next chunk after the same
 * cursor (the first run's rows are gone), so the walk starts only once both tables were passed over.
 */
async function clearStep(p: RebuildPorts, job: ReadModelRebuildJob, rebuild: Rebuild, phase: ClearingPhase): Promise<'done'> {
  const deleted = await clearAfter(p.db, phase, rebuild.cursor, rebuild.chunkSize)
  const next = afterClearing(phase, deleted, rebuild.chunkSize)
  await p.queueStep({ ...job, step: job.step + 1 })
  const recorded = await recordClearing(p.db, rebuild.id, job.step, next, p.now())
  p.log.debug('read_model_rebuild_step', { rebuildId: rebuild.id, step: job.step, phase, cleared: next.cleared })
  if (recorded?.phase === 'walking') p.log.info('read_model_rebuild_cleared', { rebuildId: rebuild.id, cleared: recorded.cleared })
  return 'done'
}
