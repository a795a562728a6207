import type { PollAudience } from './poll-audience'

/** Polls, their deliveries and answers, and sellers' poll ratings in D1 (raw statements). */

export type Poll = { id: string; question: string; trigger: string; audience: PollAudience; createdBy: string; createdAt: string; active: boolean }
export type PollSummary = Poll & { delivered: number; answered: number }
export type Delivery = { id: string; pollId: string; userId: string; orderId: string; eventId: string; subjectId: string; deliveredAt: string }
export type WaitingPoll = { deliveryId: string; pollId: string; question: string; orderId: string; subjectId: string; subjectName: string; deliveredAt: string }
export type Answer = { deliveryId: string; pollId: string; userId: string; subjectId: string; score: number; comment: string | null; answeredAt: string }

type PollRow = { id: string; question: string; trigger: string; audience: PollAudience; created_by: string; created_at: string; active: number }
const toPoll = (r: PollRow): Poll => ({ id: r.id, question: r.question, trigger: r.trigger, audience: r.audience, createdBy: r.created_by, createdAt: r.created_at, active: r.active === 1 })

/** Deliveries per D1 batch: one statement each, well inside D1's limits. */
const DELIVERIES_PER_BATCH = 50

export async function insertPoll(d1: D1Database, p: Poll): Promise<void> {
  await d1
    .prepare('INSERT INTO polls (id, question, trigger, audience, created_by, created_at, active) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .bind(p.id, p.question, p.trigger, p.audience, p.createdBy, p.createdAt, p.active ? 1 : 0)
    .run()
}

export async function findPoll(d1: D1Database, id: string): Promise<Poll | undefined> {
  const row = await d1.prepare('SELECT * FROM polls WHERE id = ?').bind(id).first<PollRow>()
  return row ? toPoll(row) : undefined
}

/** Newest first, `limit + 1` after `before` (an id), each with how many it reached and how many answered. */
export async function listPolls(d1: D1Database, limit: number, before?: string): Promise<PollSummary[]> {
  const { results } = await d1
    .prepare(
      `SELECT p.*, (SELECT count(*) FROM poll_deliveries WHERE poll_id = p.id) AS delivered, (SELECT count(*) FROM poll_answers WHERE poll_id = p.id) AS answered
       FROM polls p WHERE ?1 IS NULL OR p.id < ?1 ORDER BY p.id DESC LIMIT ?2`,
    )
    .bind(before ?? null, limit + 1)
    .all<PollRow & { delivered: number; answered: number }>()
  return results.map((r) => ({ ...toPoll(r), delivered: r.delivered, answered: r.answered }))
}

/** How many answered each score (a GROUP BY on the poll's answers), and how many it reached. */
export async function pollTally(d1: D1Database, pollId: string): Promise<{ scores: { score: number; count: number }[]; delivered: number }> {
  const [scores, delivered] = await d1.batch([
    d1.prepare('SELECT score, count(*) AS count FROM poll_answers WHERE poll_id = ? GROUP BY score').bind(pollId),
    d1.prepare('SELECT count(*) AS delivered FROM poll_deliveries WHERE poll_id = ?').bind(pollId),
  ])
  return { scores: (scores?.results ?? []) as { score: number; count: number }[], delivered: ((delivered?.results[0] ?? { delivered: 0 }) as { delivered: number }).delivered }
}

/** The active polls triggered by any of `types`. */
export async function activePollsFor(d1: D1Database, types: readonly string[]): Promise<Poll[]> {
  if (types.length === 0) return []
  const { results } = await d1.prepare('SELECT * FROM polls WHERE active = 1 AND trigger IN (SELECT value FROM json_each(?1)) ORDER BY id').bind(JSON.stringify(types)).all<PollRow>()
  return results.map(toPoll)
}

/** The display names of those who have not erased their account. */
export async function displayNames(d1: D1Database, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map()
  const { results } = await d1
    .prepare('SELECT id, display_name FROM users WHERE id IN (SELECT value FROM json_each(?1)) AND erased_at IS NULL')
    .bind(JSON.stringify([...new Set(userIds)]))
    .all<{ id: string; display_name: string }>()
  return new Map(results.map((r) => [r.id, r.display_name]))
}

/**
 * Writes each delivery once per (poll, person, order): a repeat (the same event again, or another
 * event of the same order and type) is ignored. Answers, per delivery, whether it was written now.
 */
export async function recordDeliveries(d1: D1Database, deliveries: readonly Delivery[]): Promise<boolean[]> {
  const written: boolean[] = []
  for (let i = 0; i < deliveries.length; i += DELIVERIES_PER_BATCH) {
    const chunk = deliveries.slice(i, i + DELIVERIES_PER_BATCH)
    const results = await d1.batch(
      chunk.map((d) =>
        d1
          .prepare('INSERT OR IGNORE INTO poll_deliveries (id, poll_id, user_id, order_id, event_id, subject_id, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .bind(d.id, d.pollId, d.userId, d.orderId, d.eventId, d.subjectId, d.deliveredAt),
      ),
    )
    written.push(...results.map((r) => r.meta.changes === 1))
  }
  return written
}

/** The deliveries to `userId` of active polls not yet answered, newest first, `limit + 1` after `before` (a delivery id). */
export async function waitingPolls(d1: D1Database, userId: string, limit: number, before?: string): Promise<WaitingPoll[]> {
  const { results } = await d1
    .prepare(
      `SELECT d.id AS delivery_id, d.poll_id, p.question, d.order_id, d.subject_id, coalesce(u.display_name, 'someone') AS subject_name, d.delivered_at
       FROM poll_deliveries d JOIN polls p ON p.id = d.poll_id LEFT JOIN users u ON u.id = d.subject_id AND u.erased_at IS NULL
       WHERE d.user_id = ?1 AND p.active = 1 AND NOT EXISTS (SELECT 1 FROM poll_answers a WHERE a.delivery_id = d.id) AND (?2 IS NULL OR d.id < ?2)
       ORDER BY d.id DESC LIMIT ?3`,
    )
    .bind(userId, before ?? null, limit + 1)
    .all<{ delivery_id: string; poll_id: string; question: string; order_id: string; subject_id: string; subject_name: string; delivered_at: string }>()
  return results.map((r) => ({ deliveryId: r.delivery_id, pollId: r.poll_id, question: r.question, orderId: r.order_id, subjectId: r.subject_id, subjectName: r.subject_name, deliveredAt: r.delivered_at }))
}

/**
 * The delivery of `pollId` to `userId` an answer is for: `deliveryId` when given (if it is theirs,
 * of this poll), else the oldest one not answered yet, else any (answered). Undefined when the poll
 * never reached them.
 */
export async function deliveryToAnswer(d1: D1Database, pollId: string, userId: string, deliveryId?: string): Promise<(Delivery & { answered: boolean }) | undefined> {
  const row = await d1
    .prepare(
      `SELECT d.*, EXISTS (SELECT 1 FROM poll_answers a WHERE a.delivery_id = d.id) AS answered
       FROM poll_deliveries d WHERE d.poll_id = ?1 AND d.user_id = ?2 AND (?3 IS NULL OR d.id = ?3)
       ORDER BY answered, d.id LIMIT 1`,
    )
    .bind(pollId, userId, deliveryId ?? null)
    .first<{ id: string; poll_id: string; user_id: string; order_id: string; event_id: string; subject_id: string; delivered_at: string; answered: number }>()
  if (!row) return undefined
  return { id: row.id, pollId: row.poll_id, userId: row.user_id, orderId: row.order_id, eventId: row.event_id, subjectId: row.subject_id, deliveredAt: row.delivered_at, answered: row.answered === 1 }
}

/**
 * One answer per delivery: false when it was answered already. When the answer rates the seller,
 * the seller's rating aggregate is updated in the same batch (one transaction), before the insert
 * and only while the delivery has no answer, so a repeat or a race counts nothing twice.
 */
export async function addAnswer(d1: D1Database, a: Answer, ratesSeller: boolean): Promise<boolean> {
  const rating = d1
    .prepare(
      `INSERT INTO seller_poll_ratings (user_id, answer_count, score_sum) SELECT ?1, 1, ?2 WHERE NOT EXISTS (SELECT 1 FROM poll_answers WHERE delivery_id = ?3)
       ON CONFLICT (user_id) DO UPDATE SET answer_count = answer_count + 1, score_sum = score_sum + excluded.score_sum`,
    )
    .bind(a.subjectId, a.score, a.deliveryId)
  const insert = d1
    .prepare('INSERT OR IGNORE INTO poll_answers (delivery_id, poll_id, user_id, subject_id, score, comment, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .bind(a.deliveryId, a.pollId, a.userId, a.subjectId, a.score, a.comment, a.answeredAt)
  const results = await d1.batch(ratesSeller ? [rating, insert] : [insert])
  return results[results.length - 1]?.meta.changes === 1
}

/** A seller's rating from buyers' poll answers: how many and their sum (0 and 0 with none). */
export async function sellerPollRating(d1: D1Database, userId: string): Promise<{ count: number; sum: number }> {
  const row = await d1.prepare('SELECT answer_count, score_sum FROM seller_poll_ratings WHERE user_id = ?').bind(userId).first<{ answer_count: number; score_sum: number }>()
  return { count: row?.answer_count ?? 0, sum: row?.score_sum ?? 0 }
}

/** A person's two ratings: others' reviews of them (1..5) and buyers' poll answers about them as a seller (0..10). */
export async function ratingsOf(d1: D1Database, userId: string): Promise<{ reviews: { count: number; sum: number }; feedback: { count: number; sum: number } }> {
  const row = await d1
    .prepare(
      `SELECT (SELECT review_count FROM user_ratings WHERE user_id = ?1) AS review_count, (SELECT rating_sum FROM user_ratings WHERE user_id = ?1) AS rating_sum,
              (SELECT answer_count FROM seller_poll_ratings WHERE user_id = ?1) AS answer_count, (SELECT score_sum FROM seller_poll_ratings WHERE user_id = ?1) AS score_sum`,
    )
    .bind(userId)
    .first<{ review_count: number | null; rating_sum: number | null; answer_count: number | null; score_sum: number | null }>()
  return { reviews: { count: row?.review_count ?? 0, sum: row?.rating_sum ?? 0 }, feedback: { count: row?.answer_count ?? 0, sum: row?.score_sum ?? 0 } }
}
