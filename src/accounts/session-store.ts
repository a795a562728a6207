import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { sessions } from '../db/schema'
import type { NewSession } from './user-store'

export async function createSession(db: Db, session: NewSession): Promise<void> {
  await db.insert(sessions).values(session)
}

/** Ends a session at once: the next request with its token is refused. */
export async function revokeSession(db: Db, id: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
}

/** Housekeeping: forgets sessions that ended (expired or revoked) before `before`. */
export async function purgeEndedSessions(db: Db, before: Date): Promise<number> {
  const cutoff = before.toISOString()
  const deleted = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, cutoff), lt(sessions.revokedAt, cutoff)))
    .returning({ id: sessions.id })
  return deleted.length
}
