import { TracedObject } from '../platform/traced-object'
import { chain, firstBreak, GENESIS, type AuditRecord, type AuditValue, type ChainBreak, type ChainedRecord } from './audit-chain'

/** The one audit log of the deployment. */
export const auditLogStub = (env: Env) => env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName('audit'))

/** Where the chain ends, kept apart from the rows, so a deleted last entry is seen too. */
const HEAD = 'head'
type Head = { seq: number; hash: string }

/** Rows read per pass when verifying. */
const VERIFY_PAGE = 500

export type AuditQuery = { before?: number; limit: number; action?: string; actorId?: string; subjectId?: string }
export type Verification = { ok: true; entries: number; head: string } | { ok: false; entries: number; firstBreak: ChainBreak }

type Row = { seq: number; at: string; actor_id: string; action: string; subject_id: string | null; details: string; prev_hash: string; hash: string }

/**
 * The tamper-evident audit log (docs/SECURITY.md "The audit log"): every privileged or sensitive
 * action, appended as a hash chain in this object's SQLite. One object for the deployment: the
 * actions it records are rare next to bids and reads, and one writer makes the chain a line. Each
 * append reads the head, hashes synchronously and writes row and head in one transaction.
 */
export class AuditLogObject extends TracedObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS entries (
      seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_id TEXT NOT NULL, action TEXT NOT NULL,
      subject_id TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`)
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS entries_action ON entries (action, seq)')
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS entries_actor ON entries (actor_id, seq)')
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS entries_subject ON entries (subject_id, seq)')
  }

  append(entry: Omit<AuditRecord, 'seq'>): number {
    return this.ctx.storage.transactionSync(() => {
      const record = chain(this.ctx.storage.kv.get<Head>(HEAD), entry)
      this.ctx.storage.sql.exec(
        'INSERT INTO entries (seq, at, actor_id, action, subject_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        record.seq,
        record.at,
        record.actorId,
        record.action,
        record.subjectId,
        JSON.stringify(record.details),
        record.prevHash,
        record.hash,
      )
      this.ctx.storage.kv.put(HEAD, { seq: record.seq, hash: record.hash } satisfies Head)
      return record.seq
    })
  }

  /** Entries newest first, before `before`, filtered by action, actor or subject. */
  list(q: AuditQuery): ChainedRecord[] {
    const rows = this.ctx.storage.sql
      .exec<Row>(
        `SELECT * FROM entries WHERE (?1 IS NULL OR seq < ?1) AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR actor_id = ?3) AND (?4 IS NULL OR subject_id = ?4)
         ORDER BY seq DESC LIMIT ?5`,
        q.before ?? null,
        q.action ?? null,
        q.actorId ?? null,
        q.subjectId ?? null,
        q.limit,
      )
      .toArray()
    return rows.map(recordOf)
  }

  /** Walks the whole chain, a page at a time, and names the first entry that does not hold. */
  verify(): Verification {
    const head = this.ctx.storage.kv.get<Head>(HEAD)
    let from = { seq: 1, prevHash: GENESIS }
    let entries = 0
    for (;;) {
      const page = this.ctx.storage.sql
        .exec<Row>('SELECT * FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?', from.seq, VERIFY_PAGE)
        .toArray()
        .map(recordOf)
      const broken = firstBreak(page, from)
      if (broken) return { ok: false, entries: broken.seq - 1, firstBreak: broken }
      entries += page.length
      const last = page.at(-1)
      if (!last) break
      from = { seq: last.seq + 1, prevHash: last.hash }
    }
    // The rows hold; they must also reach the head (a deleted last entry leaves no gap behind it).
    if ((head?.seq ?? 0) !== from.seq - 1 || (head?.hash ?? GENESIS) !== from.prevHash) return { ok: false, entries, firstBreak: { seq: from.seq, reason: 'missing' } }
    return { ok: true, entries, head: from.prevHash }
  }
}

function recordOf(r: Row): ChainedRecord {
  return { seq: r.seq, at: r.at, actorId: r.actor_id, action: r.action, subjectId: r.subject_id, details: JSON.parse(r.details) as Record<string, AuditValue>, prevHash: r.prev_hash, hash: r.hash }
}
