import type { Channel } from './preferences'
import type { DueNotice } from './notification-message'
import type { Notice } from './notification-rules'

/** The inbox, dispatches, preferences and the development outbox in D1 (raw statements). */
export type InboxItem = { id: string; type: string; category: Notice['category']; title: string; body: string; data: Record<string, unknown>; createdAt: string; readAt: string | null }

type InboxRow = { id: string; type: string; category: Notice['category']; title: string; body: string; data: string; created_at: string; read_at: string | null }
const toItem = (r: InboxRow): InboxItem => ({ id: r.id, type: r.type, category: r.category, title: r.title, body: r.body, data: JSON.parse(r.data) as Record<string, unknown>, createdAt: r.created_at, readAt: r.read_at })

export type Dispatch = { channel: Exclude<Channel, 'in_app'>; dueAt: string; digest: boolean }

export type NoticeRecord = { id: string; eventId: string; eventAt: string; notice: Notice; inApp: boolean; at: string; silencing: { after: string; before: string }; dispatches: Dispatch[] }

/** Notices per D1 batch: two statements each, and a batch stays well inside D1's limits. */
const NOTICES_PER_BATCH = 50

/**
 * Records each notice once per (event, person, type), with its dispatches, in one transaction per
 * batch: a notice is never kept without the sends it was planned with. A notice with a throttle
 * key is recorded only if none under that key was recorded for an event inside `silencing`
 * (throttle.ts): check and insert are one statement, so concurrent consumers cannot both pass the
 * throttle, and a batch's statements run in order, so a notice sees those before it in its batch.
 * Answers, per notice, whether it was recorded now (false for a repeat, or throttled).
 */
export async function recordNotices(d1: D1Database, records: NoticeRecord[]): Promise<boolean[]> {
  const recorded: boolean[] = []
  for (let i = 0; i < records.length; i += NOTICES_PER_BATCH) {
    const chunk = records.slice(i, i + NOTICES_PER_BATCH)
    const results = await d1.batch(chunk.flatMap((r) => noticeStatements(d1, r)))
    recorded.push(...chunk.map((_, j) => results[2 * j]?.meta.changes === 1))
  }
  return recorded
}

function noticeStatements(d1: D1Database, r: NoticeRecord): [D1PreparedStatement, D1PreparedStatement] {
  const n = r.notice
  return [
    d1
      .prepare(
        `INSERT OR IGNORE INTO notifications (id, user_id, type, category, title, body, data, event_id, throttle_key, in_app, created_at, event_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
         WHERE ?9 IS NULL OR NOT EXISTS (SELECT 1 FROM notifications WHERE user_id = ?2 AND throttle_key = ?9 AND event_at > ?13 AND event_at < ?14)`,
      )
      .bind(r.id, n.userId, n.type, n.category, n.title, n.body, JSON.stringify(n.data), r.eventId, n.throttleKey, r.inApp ? 1 : 0, r.at, r.eventAt, r.silencing.after, r.silencing.before),
    // Only when the notice above was written now: its id is fresh, so it exists only if inserted.
    d1
      .prepare(
        `INSERT OR IGNORE INTO notification_dispatches (notification_id, user_id, channel, due_at, digest)
         SELECT ?1, ?2, value ->> '$.channel', value ->> '$.dueAt', value ->> '$.digest' FROM json_each(?3)
         WHERE EXISTS (SELECT 1 FROM notifications WHERE id = ?1)`,
      )
      .bind(r.id, n.userId, JSON.stringify(r.dispatches.map((d) => ({ ...d, digest: d.digest ? 1 : 0 })))),
  ]
}

/**
 * The dispatches of an already recorded notice that have not gone out: a redelivered event
 * queues them again, in case the first run stopped between recording and queueing.
 */
export async function unsentDispatches(d1: D1Database, eventId: string, userId: string, type: string): Promise<Array<Dispatch & { notificationId: string }>> {
  const { results } = await d1
    .prepare(
      `SELECT d.notification_id, d.channel, d.due_at, d.digest FROM notifications n JOIN notification_dispatches d ON d.notification_id = n.id
       WHERE n.event_id = ? AND n.user_id = ? AND n.type = ? AND d.sent_at IS NULL`,
    )
    .bind(eventId, userId, type)
    .all<{ notification_id: string; channel: Dispatch['channel']; due_at: string; digest: number }>()
  return results.map((r) => ({ notificationId: r.notification_id, channel: r.channel, dueAt: r.due_at, digest: r.digest === 1 }))
}

export async function inbox(d1: D1Database, userId: string, limit: number, before?: string): Promise<InboxItem[]> {
  const { results } = await d1
    .prepare('SELECT * FROM notifications WHERE user_id = ?1 AND in_app = 1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3')
    .bind(userId, before ?? null, limit + 1)
    .all<InboxRow>()
  return results.map(toItem)
}

export async function markRead(d1: D1Database, userId: string, id: string, at: string): Promise<InboxItem | undefined> {
  await d1.prepare('UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? AND user_id = ? AND in_app = 1').bind(at, id, userId).run()
  const row = await d1.prepare('SELECT * FROM notifications WHERE id = ? AND user_id = ? AND in_app = 1').bind(id, userId).first<InboxRow>()
  return row ? toItem(row) : undefined
}

export async function loadPreferences(d1: D1Database, userId: string): Promise<unknown> {
  const row = await d1.prepare('SELECT preferences FROM notification_preferences WHERE user_id = ?').bind(userId).first<{ preferences: string }>()
  return row ? (JSON.parse(row.preferences) as unknown) : {}
}

export async function savePreferences(d1: D1Database, userId: string, preferences: unknown, at: string): Promise<void> {
  await d1
    .prepare('INSERT INTO notification_preferences (user_id, preferences, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences, updated_at = excluded.updated_at')
    .bind(userId, JSON.stringify(preferences), at)
    .run()
}

type Claim = { userId: string; channel: Channel; notificationId: string | null }

/**
 * Claims what is due for one person on one channel, until `leaseUntil`: one notice, or for a
 * digest every digest notice due by `now`. A claimed row is another sender's until it is marked
 * sent, released, or its lease runs out (the sender died mid-send), so two senders never hold one.
 */
export async function claimDue(d1: D1Database, c: Claim, now: string, leaseUntil: string): Promise<DueNotice[]> {
  // Two statements, not one with an OR (which would scan): one notice by its key, a digest by the person's index.
  const claim =
    c.notificationId === null
      ? d1
          .prepare(
            `UPDATE notification_dispatches SET claimed_until = ?4 WHERE user_id = ?2 AND channel = ?3 AND sent_at IS NULL AND due_at <= ?1 AND digest = 1
             AND (claimed_until IS NULL OR claimed_until <= ?1) RETURNING notification_id`,
          )
          .bind(now, c.userId, c.channel, leaseUntil)
      : d1
          .prepare(
            `UPDATE notification_dispatches SET claimed_until = ?4 WHERE notification_id = ?5 AND channel = ?3 AND user_id = ?2 AND sent_at IS NULL AND due_at <= ?1
             AND (claimed_until IS NULL OR claimed_until <= ?1) RETURNING notification_id`,
          )
          .bind(now, c.userId, c.channel, leaseUntil, c.notificationId)
  const { results } = await claim.all<{ notification_id: string }>()
  if (results.length === 0) return []
  const { results: rows } = await d1
    .prepare('SELECT id, type, category, title, body FROM notifications WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id')
    .bind(JSON.stringify(results.map((r) => r.notification_id)))
    .all<{ id: string; type: string; category: DueNotice['category']; title: string; body: string }>()
  return rows.map((r) => ({ notificationId: r.id, type: r.type, category: r.category, title: r.title, body: r.body }))
}

/** When another sender's lease on what this claim would take runs out; null when nothing due is held. */
export async function heldUntil(d1: D1Database, c: Claim, now: string): Promise<string | null> {
  const row = await d1
    .prepare(
      `SELECT max(claimed_until) AS until FROM notification_dispatches
       WHERE user_id = ?2 AND channel = ?3 AND sent_at IS NULL AND due_at <= ?1 AND claimed_until > ?1 AND (?4 IS NULL AND digest = 1 OR notification_id = ?4)`,
    )
    .bind(now, c.userId, c.channel, c.notificationId)
    .first<{ until: string | null }>()
  return row?.until ?? null
}

/** The claimed notices went out (to every address that could take them). */
export async function markSent(d1: D1Database, channel: Channel, notificationIds: string[], at: string): Promise<void> {
  await d1
    .prepare('UPDATE notification_dispatches SET sent_at = ?, claimed_until = NULL WHERE notification_id IN (SELECT value FROM json_each(?)) AND channel = ?')
    .bind(at, JSON.stringify(notificationIds), channel)
    .run()
}

/** Gives claimed notices back (their send failed or must wait), so the retry claims them again. */
export async function releaseClaims(d1: D1Database, channel: Channel, notificationIds: string[]): Promise<void> {
  await d1
    .prepare('UPDATE notification_dispatches SET claimed_until = NULL WHERE notification_id IN (SELECT value FROM json_each(?)) AND channel = ? AND sent_at IS NULL')
    .bind(JSON.stringify(notificationIds), channel)
    .run()
}

export type SendRecord = { notificationId: string; channel: Channel; address: string; userId: string; outcome: 'sent' | 'refused' | 'gone'; providerRef: string | null; detail: string | null; at: string }

/** `notificationId` and address, as `doneSends` answers them. */
export const sendKey = (notificationId: string, address: string): string => `${notificationId} ${address}`

/** Which of these notices each address is already done with on `channel` (as `sendKey`s). */
export async function doneSends(d1: D1Database, channel: Channel, notificationIds: string[]): Promise<Set<string>> {
  const { results } = await d1
    .prepare('SELECT notification_id, address FROM notification_sends WHERE notification_id IN (SELECT value FROM json_each(?)) AND channel = ?')
    .bind(JSON.stringify(notificationIds), channel)
    .all<{ notification_id: string; address: string }>()
  return new Set(results.map((r) => sendKey(r.notification_id, r.address)))
}

/** What became of one message at one address, once for each notice it carried. */
export async function recordSends(d1: D1Database, records: SendRecord[]): Promise<void> {
  if (records.length === 0) return
  await d1.batch(
    records.map((r) =>
      d1
        .prepare('INSERT OR IGNORE INTO notification_sends (notification_id, channel, address, user_id, outcome, provider_ref, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .bind(r.notificationId, r.channel, r.address, r.userId, r.outcome, r.providerRef, r.detail, r.at),
    ),
  )
}

export type OutboxItem = { id: string; channel: string; userId: string; recipient: string; subject: string; body: string; notificationId: string; createdAt: string }

export async function addToOutbox(d1: D1Database, o: OutboxItem): Promise<void> {
  await d1
    .prepare('INSERT OR IGNORE INTO dev_outbox (id, channel, user_id, recipient, subject, body, notification_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .bind(o.id, o.channel, o.userId, o.recipient, o.subject, o.body, o.notificationId, o.createdAt)
    .run()
}

export async function outbox(d1: D1Database, limit: number, userId?: string): Promise<OutboxItem[]> {
  const { results } = await d1
    .prepare('SELECT * FROM dev_outbox WHERE (?1 IS NULL OR user_id = ?1) ORDER BY id DESC LIMIT ?2')
    .bind(userId ?? null, limit)
    .all<{ id: string; channel: string; user_id: string; recipient: string; subject: string; body: string; notification_id: string; created_at: string }>()
  return results.map((r) => ({ id: r.id, channel: r.channel, userId: r.user_id, recipient: r.recipient, subject: r.subject, body: r.body, notificationId: r.notification_id, createdAt: r.created_at }))
}
