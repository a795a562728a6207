import { and, desc, eq, isNull, lt, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { apiKeys } from '../db/schema'

export type ApiKeyRecord = typeof apiKeys.$inferSelect

export async function insertApiKey(db: Db, key: typeof apiKeys.$inferInsert): Promise<void> {
  await db.insert(apiKeys).values(key)
}

/** The caller's live keys, newest first, `limit + 1` rows so the caller can tell if more follow. */
export async function listApiKeys(db: Db, userId: string, limit: number, after?: string): Promise<ApiKeyRecord[]> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt), after ? lt(apiKeys.id, after) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1)
}

/**
 * Revokes one of the caller's keys. Scoped by owner in the same statement, so another user's key
 * id behaves exactly like an unknown one.
 */
export async function revokeApiKey(db: Db, userId: string, id: string, now: Date): Promise<boolean> {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id })
  return revoked.length === 1
}

/** Records that a key was used, unless a concurrent request already recorded a later use. */
export async function touchApiKey(db: Db, id: string, now: Date): Promise<void> {
  const at = now.toISOString()
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, at))))
}
