import type { ListingEvent, Settlement } from '../events/contract/listing-events'

type BidPlaced = Extract<ListingEvent, { type: 'bid.placed' }>
import type { ListingState, Offer } from './listing-state'
import type { ListingView } from './listing-view'
import type { StoredEvent } from './live-message'
import type { SettledOutcome } from './stock'

/**
 * The ListingObject's SQLite storage: the state (one JSON row), the event log (gap-free `seq`),
 * the outbox of events not yet on the queue, and how finished reservations ended. All methods
 * are synchronous, so the object can load, decide and commit with no await in between.
 */
/** Migrations in order; the store records how many have run. Append, never edit. */
const migrations: string[][] = [
  [
    `CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)`,
    `CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, version INTEGER NOT NULL,
       occurred_at TEXT NOT NULL, data TEXT NOT NULL, private TEXT NOT NULL)`,
    `CREATE INDEX events_type ON events (type, seq)`,
    `CREATE TABLE outbox (seq INTEGER PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE settled (reservation_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, at TEXT NOT NULL)`,
  ],
  [`CREATE TABLE offers_archive (id TEXT PRIMARY KEY, json TEXT NOT NULL)`],
  // The trace each event was committed in: its consumers continue it, however late it is sent.
  [`ALTER TABLE outbox ADD COLUMN traceparent TEXT`],
]

type EventRow = { seq: number; id: string; type: string; version: number; occurred_at: string; data: string; private: string }

export class ListingStore {
  private constructor(
    private readonly storage: DurableObjectStorage,
    private readonly sql: SqlStorage,
    /** False until the listing is created: looking up an unknown id must not leave storage behind. */
    private initialized: boolean,
  ) {}

  /** Opens the store, running the migrations it has not run yet: idempotent, cheap on every wake. */
  static open(storage: DurableObjectStorage): ListingStore {
    const [known] = storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray()
    const store = new ListingStore(storage, storage.sql, (known?.n ?? 0) > 0)
    if (store.initialized) store.migrate()
    return store
  }

  /** Creates the tables before the listing's first commit; a no-op afterwards. */
  ensureCreated(): void {
    if (!this.initialized) this.migrate()
  }

  private migrate(): void {
    const sql = this.sql
    sql.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)')
    const [row] = sql.exec<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations').toArray()
    const done = row?.version ?? 0
    if (done < migrations.length) {
      this.storage.transactionSync(() => {
        migrations.slice(done).forEach((statements, i) => {
          for (const statement of statements) sql.exec(statement)
          sql.exec('INSERT INTO schema_migrations (version) VALUES (?)', done + i + 1)
        })
      })
    }
    this.initialized = true
  }

  load(): ListingState | undefined {
    if (!this.initialized) return undefined
    const [row] = this.sql.exec<{ json: string }>('SELECT json FROM state WHERE id = 1').toArray()
    if (!row) return undefined
    const state = JSON.parse(row.json) as ListingState
    // State saved before reservations carried `orderBound`: checkouts were always order-bound.
    const reservations = state.reservations.map((r) => ({ ...r, orderBound: r.orderBound ?? (r.source === 'checkout' || r.source === 'buy_now') }))
    return { ...state, reservations }
  }

  save(state: ListingState): void {
    this.sql.exec('INSERT INTO state (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json', JSON.stringify(state))
  }

  lastSeq(): number {
    if (!this.initialized) return 0
    const [row] = this.sql.exec<{ seq: number | null }>('SELECT max(seq) AS seq FROM events').toArray()
    return row?.seq ?? 0
  }

  /** Appends events with the next seqs (no gaps) and queues each in the outbox, with the trace they were made in. */
  append(events: ListingEvent[], listing: ListingView, ids: () => string, now: Date, traceparent?: string): StoredEvent[] {
    let seq = this.lastSeq()
    return events.map((e) => {
      seq += 1
      const stored: StoredEvent = {
        id: ids(),
        seq,
        type: e.type,
        version: 1,
        occurredAt: now.toISOString(),
        data: { ...e.data, listing },
        private: e.private,
      }
      this.sql.exec(
        'INSERT INTO events (seq, id, type, version, occurred_at, data, private) VALUES (?, ?, ?, ?, ?, ?, ?)',
        stored.seq,
        stored.id,
        stored.type,
        stored.version,
        stored.occurredAt,
        JSON.stringify(stored.data),
        JSON.stringify(stored.private),
      )
      this.sql.exec('INSERT INTO outbox (seq, next_attempt_at, traceparent) VALUES (?, ?, ?)', stored.seq, now.getTime(), traceparent ?? null)
      return stored
    })
  }

  eventsSince(seq: number, limit = 10_000): StoredEvent[] {
    if (!this.initialized) return []
    return this.sql.exec<EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?', seq, limit).toArray().map(toStored)
  }

  /** Bids placed before `beforeSeq`, newest first, as this store wrote them. */
  bidsPlaced(beforeSeq: number, limit: number): (Pick<StoredEvent, 'seq' | 'occurredAt'> & Pick<BidPlaced, 'data' | 'private'>)[] {
    if (!this.initialized) return []
    return this.sql
      .exec<EventRow>("SELECT * FROM events WHERE type = 'bid.placed' AND seq < ? ORDER BY seq DESC LIMIT ?", beforeSeq, limit)
      .toArray()
      .map((row) => ({ seq: row.seq, occurredAt: row.occurred_at, data: JSON.parse(row.data) as BidPlaced['data'], private: JSON.parse(row.private) as BidPlaced['private'] }))
  }

  settledOutcome(reservationId: string): SettledOutcome | undefined {
    if (!this.initialized) return undefined
    const [row] = this.sql.exec<{ outcome: SettledOutcome }>('SELECT outcome FROM settled WHERE reservation_id = ?', reservationId).toArray()
    return row?.outcome
  }

  settle(settlements: Settlement[], now: Date): void {
    for (const s of settlements) {
      // The core only moves an id forward (reserved → committed → restocked), so the latest wins.
      this.sql.exec(
        'INSERT INTO settled (reservation_id, outcome, at) VALUES (?, ?, ?) ON CONFLICT (reservation_id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at',
        s.reservationId,
        s.outcome,
        now.toISOString(),
      )
    }
  }

  /**
   * The oldest events not yet on the queue, in seq order, with their attempts and when the head
   * may next be tried. The outbox drains strictly from its head, so events leave in seq order.
   */
  outboxHead(limit: number): { event: StoredEvent; attempts: number; nextAttemptAt: number; traceparent?: string }[] {
    if (!this.initialized) return []
    return this.sql
      .exec<EventRow & { attempts: number; next_attempt_at: number; traceparent: string | null }>(
        `SELECT e.*, o.attempts, o.next_attempt_at, o.traceparent FROM outbox o JOIN events e ON e.seq = o.seq ORDER BY o.seq LIMIT ?`,
        limit,
      )
      .toArray()
      .map((row) => ({ event: toStored(row), attempts: row.attempts, nextAttemptAt: row.next_attempt_at, ...(row.traceparent ? { traceparent: row.traceparent } : {}) }))
  }

  /** When the outbox's head may be tried; null when the outbox is empty. */
  nextOutboxAttempt(): number | null {
    if (!this.initialized) return null
    const [row] = this.sql.exec<{ at: number }>('SELECT next_attempt_at AS at FROM outbox ORDER BY seq LIMIT 1').toArray()
    return row?.at ?? null
  }

  /** Moves offers that are over out of the state row, where they would only grow it. */
  archiveOffers(offers: Offer[]): void {
    for (const o of offers) this.sql.exec('INSERT OR REPLACE INTO offers_archive (id, json) VALUES (?, ?)', o.id, JSON.stringify(o))
  }

  archivedOffer(id: string): Offer | undefined {
    if (!this.initialized) return undefined
    const [row] = this.sql.exec<{ json: string }>('SELECT json FROM offers_archive WHERE id = ?', id).toArray()
    return row ? (JSON.parse(row.json) as Offer) : undefined
  }

  /** Archived offers newest first (ids sort by creation): before the id `before`, of `buyerId` alone when given, at most `limit`. */
  archivedOffers(before: string | null, buyerId: string | null, limit: number): Offer[] {
    if (!this.initialized) return []
    const rows = this.sql
      .exec<{ json: string }>(
        `SELECT json FROM offers_archive WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR json_extract(json, '$.buyerId') = ?2) ORDER BY id DESC LIMIT ?3`,
        before,
        buyerId,
        limit,
      )
      .toArray()
    return rows.map((r) => JSON.parse(r.json) as Offer)
  }

  markSent(seqs: number[]): void {
    for (const seq of seqs) this.sql.exec('DELETE FROM outbox WHERE seq = ?', seq)
  }

  retryLater(seqs: number[], atMs: number): void {
    for (const seq of seqs) this.sql.exec('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE seq = ?', atMs, seq)
  }
}

function toStored(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: row.occurred_at,
    data: JSON.parse(row.data) as StoredEvent['data'],
    private: JSON.parse(row.private) as StoredEvent['private'],
  }
}
