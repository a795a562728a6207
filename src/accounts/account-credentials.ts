import type { CredentialKind } from './credentials'
import type { Principal } from './principal'
import { scopes as knownScopes, type Role, type Scope } from './scopes'

/**
 * What an account knows about itself and its credentials, and the rules it applies to them, as
 * values (the AccountObject stores them and asks these functions). Pure.
 */

/** A user's standing, as the account holds it: D1's `users` row is the record, this its replica. */
export type Standing = { userId: string; role: Role; frozen: boolean; erased: boolean }

export type StoredCredential = {
  id: string
  kind: CredentialKind
  tokenHash: string
  createdAt: string
  /** Sessions end; API keys live until revoked. */
  expiresAt: string | null
  revokedAt: string | null
  /** API keys only. */
  name: string | null
  prefix: string | null
  scopes: Scope[] | null
  lastUsedAt: string | null
}

/** How many live API keys one user may hold: enough for every integration, not a key per request. */
export const MAX_LIVE_KEYS = 20
/** Ended credentials are kept this long (export, support questions), then forgotten. */
export const ENDED_RETENTION_MS = 7 * 24 * 3_600_000
/** How stale an API key's "last used" may get before a use records a new one. */
export const LAST_USED_RESOLUTION_MS = 60_000

const isLive = (c: StoredCredential, now: Date): boolean => c.revokedAt === null && (c.expiresAt === null || Date.parse(c.expiresAt) > now.getTime())

/** The caller a credential stands for, or undefined when it vouches for nobody (revoked, expired, erased). */
export function vouch(standing: Standing | undefined, c: StoredCredential | undefined, now: Date): Principal | undefined {
  if (!standing || standing.erased || !c || !isLive(c, now)) return undefined
  const credential: Principal['credential'] =
    c.kind === 'session' ? { kind: 'session', id: c.id } : { kind: 'api_key', id: c.id, scopes: (c.scopes ?? []).filter((s) => (knownScopes as readonly string[]).includes(s)) }
  return { userId: standing.userId, role: standing.role, frozen: standing.frozen, credential }
}

export type IssueRefusal = 'frozen' | 'erased' | 'at_limit'

/**
 * Whether a new credential may be issued: never for an erased account; a frozen one gets no new
 * session (it cannot log in) and no new key; at most MAX_LIVE_KEYS live API keys.
 */
export function issueRefusal(standing: Standing, kind: CredentialKind, existing: readonly StoredCredential[], now: Date): IssueRefusal | undefined {
  if (standing.erased) return 'erased'
  if (standing.frozen) return 'frozen'
  if (kind === 'api_key' && existing.filter((c) => c.kind === 'api_key' && isLive(c, now)).length >= MAX_LIVE_KEYS) return 'at_limit'
  return undefined
}

/** Ended long enough ago to be forgotten. */
export function isForgettable(c: StoredCredential, now: Date): boolean {
  const ended = c.revokedAt ?? (c.expiresAt !== null && Date.parse(c.expiresAt) <= now.getTime() ? c.expiresAt : null)
  return ended !== null && now.getTime() - Date.parse(ended) > ENDED_RETENTION_MS
}

/** True when a use now should be recorded as the key's "last used". */
export const isLastUseStale = (c: StoredCredential, now: Date): boolean =>
  c.kind === 'api_key' && (c.lastUsedAt === null || now.getTime() - Date.parse(c.lastUsedAt) >= LAST_USED_RESOLUTION_MS)

/** The live API keys, newest first, after the cursor `after` (an id), `limit + 1` of them. */
export function liveApiKeys(all: readonly StoredCredential[], now: Date, limit: number, after?: string): StoredCredential[] {
  return all
    .filter((c) => c.kind === 'api_key' && isLive(c, now) && (after === undefined || c.id < after))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit + 1)
}
