/** Messages the queues gave up on, in D1, by the dead-letter queue's own message id (so a redelivery is one row). */
export type DeadLetter = { id: string; queue: string; body: unknown; attempts: number; receivedAt: string; replayedAt: string | null }

type Row = { id: string; queue: string; body: string; attempts: number; received_at: string; replayed_at: string | null }

const toDeadLetter = (r: Row): DeadLetter => ({ id: r.id, queue: r.queue, body: JSON.parse(r.body) as unknown, attempts: r.attempts, receivedAt: r.received_at, replayedAt: r.replayed_at })

export async function keepDeadLetters(d1: D1Database, letters: Omit<DeadLetter, 'replayedAt'>[]): Promise<void> {
  if (letters.length === 0) return
  await d1.batch(
    letters.map((l) =>
      d1.prepare('INSERT OR IGNORE INTO dead_letters (id, queue, body, attempts, received_at) VALUES (?, ?, ?, ?, ?)').bind(l.id, l.queue, JSON.stringify(l.body ?? null), l.attempts, l.receivedAt),
    ),
  )
}

/** Newest first, `limit + 1` rows for paging; optionally one queue's, optionally only those not replayed yet. */
export async function listDeadLetters(d1: D1Database, limit: number, queue?: string, before?: string, notReplayed = false): Promise<DeadLetter[]> {
  const { results } = await d1
    .prepare('SELECT * FROM dead_letters WHERE (?1 IS NULL OR queue = ?1) AND (?2 IS NULL OR id < ?2) AND (?4 = 0 OR replayed_at IS NULL) ORDER BY id DESC LIMIT ?3')
    .bind(queue ?? null, before ?? null, limit + 1, notReplayed ? 1 : 0)
    .all<Row>()
  return results.map(toDeadLetter)
}

export async function deadLetter(d1: D1Database, id: string): Promise<DeadLetter | undefined> {
  const row = await d1.prepare('SELECT * FROM dead_letters WHERE id = ?').bind(id).first<Row>()
  return row ? toDeadLetter(row) : undefined
}

export async function markReplayed(d1: D1Database, id: string, at: string): Promise<void> {
  await d1.prepare('UPDATE dead_letters SET replayed_at = ? WHERE id = ?').bind(at, id).run()
}
