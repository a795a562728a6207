import { endpointOfMessage, toEndpoint, type EndpointRow, type WebhookEndpoint } from './webhook-endpoint-store'

/**
 * Outbound webhook messages and their attempts in D1. A message is one event for one endpoint
 * (unique): a redelivered event makes no second message, so the receiver sees one `webhook-id`.
 */
export type WebhookMessage = {
  id: string
  endpointId: string
  eventId: string
  type: string
  payload: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  lastStatus: number | null
  createdAt: string
  deliveredAt: string | null
}

type Row = {
  id: string
  endpoint_id: string
  event_id: string
  type: string
  payload: string
  status: WebhookMessage['status']
  attempts: number
  last_status: number | null
  created_at: string
  delivered_at: string | null
}

const toMessage = (r: Row): WebhookMessage => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  type: r.type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.last_status,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
})

/** Messages per D1 batch, well inside D1's limits. */
const MESSAGES_PER_BATCH = 100

/**
 * How long a message made but never attempted is taken to be on its way to the queue. Older ones
 * were left by a run that stopped between making and queueing them, and are queued again.
 */
const QUEUEING_LEASE_MS = 60_000

/**
 * Makes the messages (once per endpoint and event: a repeat is ignored) and answers the ids to
 * queue: those made now, and those of these events left unqueued by an earlier run (never
 * attempted, made over a minute ago). A message made and queued by a run moments ago is not
 * queued twice, so a receiver never gets two first attempts of one `webhook-id` at once.
 */
export async function openMessages(d1: D1Database, eventIds: string[], messages: Omit<WebhookMessage, 'status' | 'attempts' | 'lastStatus' | 'deliveredAt'>[], now: Date): Promise<string[]> {
  const made: string[] = []
  for (let i = 0; i < messages.length; i += MESSAGES_PER_BATCH) {
    const results = await d1.batch<{ id: string }>(
      messages.slice(i, i + MESSAGES_PER_BATCH).map((m) =>
        d1
          .prepare("INSERT OR IGNORE INTO webhook_messages (id, endpoint_id, event_id, type, payload, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) RETURNING id")
          .bind(m.id, m.endpointId, m.eventId, m.type, m.payload, m.createdAt),
      ),
    )
    made.push(...results.flatMap((r) => r.results.map((row) => row.id)))
  }
  if (eventIds.length === 0) return made
  const { results: stranded } = await d1
    .prepare("SELECT id FROM webhook_messages WHERE event_id IN (SELECT value FROM json_each(?)) AND status = 'pending' AND attempts = 0 AND created_at < ?")
    .bind(JSON.stringify(eventIds), new Date(now.getTime() - QUEUEING_LEASE_MS).toISOString())
    .all<{ id: string }>()
  return [...new Set([...made, ...stranded.map((r) => r.id)])]
}

/**
 * Takes the next attempt number of a pending message, reading its endpoint in the same round
 * trip; no message when it is no longer pending, no endpoint when it was deleted.
 */
export async function claimAttempt(d1: D1Database, id: string): Promise<{ message?: WebhookMessage; endpoint?: WebhookEndpoint }> {
  const [claimed, endpoint] = await d1.batch<Row | EndpointRow>([
    d1.prepare("UPDATE webhook_messages SET attempts = attempts + 1 WHERE id = ? AND status = 'pending' RETURNING *").bind(id),
    endpointOfMessage(d1, id),
  ])
  const row = claimed?.results[0] as Row | undefined
  const endpointRow = endpoint?.results[0] as EndpointRow | undefined
  return { message: row ? toMessage(row) : undefined, endpoint: endpointRow ? toEndpoint(endpointRow) : undefined }
}

/** Gives back an attempt taken by `claimAttempt` that never reached the receiver (Souk's own failure). */
export async function unclaimAttempt(d1: D1Database, id: string): Promise<void> {
  await d1.prepare("UPDATE webhook_messages SET attempts = attempts - 1 WHERE id = ? AND status = 'pending' AND attempts > 0").bind(id).run()
}

export type AttemptRecord = { messageId: string; attempt: number; at: string; statusCode: number | null; durationMs: number; error: string | null }

/** Records an attempt and where it leaves the message, in one batch (with `also`, the endpoint's own bookkeeping). */
export async function recordAttempt(d1: D1Database, a: AttemptRecord, outcome: 'delivered' | 'failed' | 'pending', also: D1PreparedStatement[] = []): Promise<void> {
  await d1.batch([
    ...also,
    d1
      .prepare('INSERT OR IGNORE INTO webhook_attempts (message_id, attempt, at, status_code, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(a.messageId, a.attempt, a.at, a.statusCode, a.durationMs, a.error),
    d1
      .prepare("UPDATE webhook_messages SET status = ?, last_status = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ? AND status = 'pending'")
      .bind(outcome, a.statusCode, outcome, a.at, a.messageId),
  ])
}

/** A manual retry: the message waits again for one more attempt (its id, the `webhook-id`, stays). */
export async function reopenMessage(d1: D1Database, id: string): Promise<void> {
  await d1.prepare("UPDATE webhook_messages SET status = 'pending' WHERE id = ?").bind(id).run()
}

export type Delivery = WebhookMessage & { attemptLog: Omit<AttemptRecord, 'messageId'>[] }

/** An endpoint's messages, newest first, with their attempts: `limit + 1` rows for paging. */
export async function deliveries(d1: D1Database, endpointId: string, limit: number, before?: string): Promise<Delivery[]> {
  const { results } = await d1
    .prepare('SELECT * FROM webhook_messages WHERE endpoint_id = ? AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3')
    .bind(endpointId, before ?? null, limit + 1)
    .all<Row>()
  return withAttempts(d1, results)
}

/** One message of an endpoint, with its attempts. */
export async function delivery(d1: D1Database, endpointId: string, id: string): Promise<Delivery | undefined> {
  const row = await d1.prepare('SELECT * FROM webhook_messages WHERE id = ? AND endpoint_id = ?').bind(id, endpointId).first<Row>()
  return row ? (await withAttempts(d1, [row]))[0] : undefined
}

async function withAttempts(d1: D1Database, rows: Row[]): Promise<Delivery[]> {
  if (rows.length === 0) return []
  const { results: attempts } = await d1
    .prepare('SELECT * FROM webhook_attempts WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, attempt')
    .bind(JSON.stringify(rows.map((r) => r.id)))
    .all<{ message_id: string; attempt: number; at: string; status_code: number | null; duration_ms: number; error: string | null }>()
  return rows.map((r) => ({
    ...toMessage(r),
    attemptLog: attempts.filter((a) => a.message_id === r.id).map((a) => ({ attempt: a.attempt, at: a.at, statusCode: a.status_code, durationMs: a.duration_ms, error: a.error })),
  }))
}
