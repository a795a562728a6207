/** Outbound webhook endpoints in D1. An endpoint is its owner's: every read here is by owner. */
export type WebhookEndpoint = {
  id: string
  ownerId: string
  url: string
  events: string[]
  secret: string
  previousSecret: string | null
  previousSecretExpiresAt: string | null
  status: 'active' | 'disabled'
  disabledReason: string | null
  failingSince: string | null
  version: number
  createdAt: string
}

export type EndpointRow = {
  id: string
  owner_id: string
  url: string
  events: string
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: string | null
  status: 'active' | 'disabled'
  disabled_reason: string | null
  failing_since: string | null
  version: number
  created_at: string
}

export const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  ownerId: r.owner_id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  secret: r.secret,
  previousSecret: r.previous_secret,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  status: r.status,
  disabledReason: r.disabled_reason,
  failingSince: r.failing_since,
  version: r.version,
  createdAt: r.created_at,
})

/** How many live endpoints one user may have. */
export const MAX_ENDPOINTS_PER_USER = 16

/** Creates the endpoint unless its owner already has MAX_ENDPOINTS_PER_USER live ones; false then. */
export async function createEndpoint(d1: D1Database, e: Omit<WebhookEndpoint, 'status' | 'disabledReason' | 'failingSince' | 'version' | 'previousSecret' | 'previousSecretExpiresAt'>): Promise<boolean> {
  const result = await d1
    .prepare(
      `INSERT INTO webhook_endpoints (id, owner_id, url, events, secret, status, created_at)
       SELECT ?, ?, ?, ?, ?, 'active', ? WHERE (SELECT count(*) FROM webhook_endpoints WHERE owner_id = ? AND deleted_at IS NULL) < ?`,
    )
    .bind(e.id, e.ownerId, e.url, JSON.stringify(e.events), e.secret, e.createdAt, e.ownerId, MAX_ENDPOINTS_PER_USER)
    .run()
  return result.meta.changes === 1
}

export async function ownedEndpoint(d1: D1Database, ownerId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const row = await d1.prepare('SELECT * FROM webhook_endpoints WHERE id = ? AND owner_id = ? AND deleted_at IS NULL').bind(id, ownerId).first<EndpointRow>()
  return row ? toEndpoint(row) : undefined
}

/** One page of the owner's live endpoints, newest first: `limit + 1` rows, for `page()`. */
export async function endpointsOf(d1: D1Database, ownerId: string, limit: number, before?: string): Promise<WebhookEndpoint[]> {
  const { results } = await d1
    .prepare('SELECT * FROM webhook_endpoints WHERE owner_id = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3')
    .bind(ownerId, before ?? null, limit + 1)
    .all<EndpointRow>()
  return results.map(toEndpoint)
}

/** What the owner changes: each field left undefined stays as it is. */
export type EndpointChange = { url?: string; events?: string[]; enabled?: boolean }

/**
 * Applies the owner's change if the endpoint is still at `expectedVersion` (any version when
 * undefined), in one conditional update that bumps the version. Enabling clears the reason and the
 * failing streak; disabling records `disabled by owner`. 'stale' when the version moved on,
 * 'missing' when the owner has no such live endpoint.
 */
export async function updateEndpoint(d1: D1Database, ownerId: string, id: string, change: EndpointChange, expectedVersion: number | undefined): Promise<WebhookEndpoint | 'stale' | 'missing'> {
  const status = change.enabled === undefined ? null : change.enabled ? 'active' : 'disabled'
  const row = await d1
    .prepare(
      `UPDATE webhook_endpoints SET
         url = coalesce(?3, url),
         events = coalesce(?4, events),
         status = coalesce(?5, status),
         disabled_reason = CASE ?5 WHEN 'active' THEN NULL WHEN 'disabled' THEN 'disabled by owner' ELSE disabled_reason END,
         failing_since = CASE ?5 WHEN 'active' THEN NULL ELSE failing_since END,
         version = version + 1
       WHERE id = ?1 AND owner_id = ?2 AND deleted_at IS NULL AND (?6 IS NULL OR version = ?6)
       RETURNING *`,
    )
    .bind(id, ownerId, change.url ?? null, change.events ? JSON.stringify(change.events) : null, status, expectedVersion ?? null)
    .first<EndpointRow>()
  if (row) return toEndpoint(row)
  return (await ownedEndpoint(d1, ownerId, id)) ? 'stale' : 'missing'
}

/**
 * Puts `secret` in place and keeps the one it replaces, signing too until `previousExpiresAt`. A
 * second rotation within the overlap drops the oldest at once: only the last two ever sign.
 */
export async function rotateSecret(d1: D1Database, ownerId: string, id: string, secret: string, previousExpiresAt: string): Promise<boolean> {
  const r = await d1
    .prepare('UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ?, secret = ? WHERE id = ? AND owner_id = ? AND deleted_at IS NULL')
    .bind(previousExpiresAt, secret, id, ownerId)
    .run()
  return r.meta.changes === 1
}

/** The endpoint a webhook message goes to, unless deleted: to batch with the message's claim. */
export function endpointOfMessage(d1: D1Database, messageId: string): D1PreparedStatement {
  return d1.prepare('SELECT * FROM webhook_endpoints WHERE id = (SELECT endpoint_id FROM webhook_messages WHERE id = ?) AND deleted_at IS NULL').bind(messageId)
}

export async function deleteEndpoint(d1: D1Database, ownerId: string, id: string, at: string): Promise<boolean> {
  const r = await d1.prepare("UPDATE webhook_endpoints SET deleted_at = ?, status = 'disabled', disabled_reason = 'deleted' WHERE id = ? AND owner_id = ? AND deleted_at IS NULL").bind(at, id, ownerId).run()
  return r.meta.changes === 1
}

/** The live, active endpoints of these users: the candidates for an event they may see. */
export async function activeEndpointsOf(d1: D1Database, ownerIds: string[]): Promise<WebhookEndpoint[]> {
  if (ownerIds.length === 0) return []
  const { results } = await d1
    .prepare("SELECT * FROM webhook_endpoints WHERE owner_id IN (SELECT value FROM json_each(?)) AND status = 'active' AND deleted_at IS NULL")
    .bind(JSON.stringify(ownerIds))
    .all<EndpointRow>()
  return results.map(toEndpoint)
}

/** True when this call disabled it (false if it already was). */
export async function disableEndpoint(d1: D1Database, id: string, reason: string): Promise<boolean> {
  const r = await d1.prepare("UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ? WHERE id = ? AND status = 'active'").bind(reason, id).run()
  return r.meta.changes === 1
}

/** A failed attempt: the endpoint is failing since its first failure after a success. */
export async function noteFailure(d1: D1Database, id: string, at: string): Promise<string> {
  const row = await d1.prepare('UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ? RETURNING failing_since').bind(at, id).first<{ failing_since: string }>()
  return row?.failing_since ?? at
}

export function noteSuccess(d1: D1Database, id: string): D1PreparedStatement {
  return d1.prepare('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL').bind(id)
}
