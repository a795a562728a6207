import { purgeEndedSessions } from '../accounts/session-store'
import type { Logger } from '../core/logger'
import { database } from '../db/client'

/** How long ended sessions are kept (for support questions) before they are deleted. */
const ENDED_SESSION_RETENTION_MS = 7 * 24 * 3_600_000

/**
 * The cron safety net: tidies what nothing else needs to wait for. Correctness never depends on
 * it (cron does not fire under `wrangler dev`); every deadline that matters runs on an alarm.
 */
export async function housekeeping(env: Env, now: Date, log: Logger): Promise<void> {
  const purged = await purgeEndedSessions(database(env.DB), new Date(now.getTime() - ENDED_SESSION_RETENTION_MS))
  log.info('housekeeping', { purgedSessions: purged })
}
