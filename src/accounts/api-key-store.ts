import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { apiKeys } from '../db/schema'

export type ApiKeyRecord = typeof apiKeys.$inferSelect

/** How many live keys one user may hold: enough for every integration, not a key per request. */
export const MAX_LIVE_KEYS = 20

/**
 * Stores a new key unless its owner already holds `MAX_LIVE_KEYS` live ones. The count and the
 * insert are one statement, so simultaneous creations cannot overshoot the cap.
 */
export async function insertApiKey(db: Db, key: typeof apiKeys.$inferInsert & { scopes: string[] }): Promise<'created' | 'at_limit'> {
  const inserted = await db
    .insert(apiKeys)
    .select(
      sql`SELECT ${key.id}, ${key.userId}, ${key.name}, ${key.tokenHash}, ${key.prefix}, ${JSON.stringify(key.scopes)}, ${key.createdAt}, NULL, NULL
          WHERE (SELECT count(*) FROM api_keys WHERE user_id = ${key.userId} AND revoked_at IS NULL) < ${MAX_LIVE_KEYS}`,
    )
    .returning({ id: apiKeys.id })
  return inserted.length === 1 ? 'created' : 'at_limit'
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
