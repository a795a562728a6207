import { and, eq, gt, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { apiKeys, sessions, users } from '../db/schema'
import type { CredentialKind } from './credentials'
import type { Principal } from './principal'
import { scopes as knownScopes, type Scope } from './scopes'

export type ResolvedCredential = { principal: Principal; lastUsedAt?: string | null }

/**
 * Finds the live credential with this token hash and the user behind it, in one query against
 * the primary. Revocation and freezing take effect on the very next request: nothing is cached.
 */
export async function resolveCredential(db: Db, kind: CredentialKind, tokenHash: string, now: Date): Promise<ResolvedCredential | undefined> {
  return kind === 'session' ? resolveSession(db, tokenHash, now) : resolveApiKey(db, tokenHash)
}

async function resolveSession(db: Db, tokenHash: string, now: Date): Promise<ResolvedCredential | undefined> {
  const row = await db
    .select({ id: sessions.id, userId: users.id, role: users.role, frozenAt: users.frozenAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.toISOString()), isNull(users.erasedAt)),
    )
    .get()
  if (!row) return undefined
  return {
    principal: { userId: row.userId, role: row.role, frozen: row.frozenAt !== null, credential: { kind: 'session', id: row.id } },
  }
}

async function resolveApiKey(db: Db, tokenHash: string): Promise<ResolvedCredential | undefined> {
  const row = await db
    .select({
      id: apiKeys.id,
      scopes: apiKeys.scopes,
      lastUsedAt: apiKeys.lastUsedAt,
      userId: users.id,
      role: users.role,
      frozenAt: users.frozenAt,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.tokenHash, tokenHash), isNull(apiKeys.revokedAt), isNull(users.erasedAt)))
    .get()
  if (!row) return undefined
  const granted = row.scopes.filter((s): s is Scope => (knownScopes as readonly string[]).includes(s))
  return {
    principal: {
      userId: row.userId,
      role: row.role,
      frozen: row.frozenAt !== null,
      credential: { kind: 'api_key', id: row.id, scopes: granted },
    },
    lastUsedAt: row.lastUsedAt,
  }
}
