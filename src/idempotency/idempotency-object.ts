import { TracedObject } from '../platform/traced-object'
import { abandon, begin, complete, forgettableAt, type BeginOutcome, type IdempotencyRecord } from './idempotency-record'

/** Forgotten records are swept at most this often: a record is never read once it has lapsed. */
const SWEEP_EVERY_MS = 60_000
/** Where an object of the earlier layout, one per (caller, key), kept its one record. */
const LEGACY_RECORD_KEY = 'record'

/**
 * The Idempotency-Keys of one caller (a user, or an anonymous IP pseudonym), one row per key.
 * Its input gate runs calls one at a time, so of two simultaneous requests with one key exactly
 * one proceeds and the other sees it in flight: correctness without locks or a unique-constraint
 * race. One object per caller, not per key: callers spread over objects as they do over accounts,
 * and a checkout does not pay for a new object. An alarm deletes records whose retention
 * (IDEMPOTENCY_TTL_HOURS) has ended.
 *
 * Every method is safe to call again after a lost answer: the caller chooses the lease, so a
 * repeated `begin` is the same claim, and `complete` and `abandon` change nothing the second time.
 */
export class IdempotencyObject extends TracedObject {
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): number => Date.now()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, record TEXT NOT NULL, forget_at INTEGER NOT NULL)')
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS records_forget_at ON records (forget_at)')
  }

  async begin(id: string, fingerprint: string, lease: string, timing: { leaseMs: number; ttlMs: number }): Promise<BeginOutcome> {
    const before = this.load(id)
    const result = begin(before, fingerprint, lease, { now: this.now(), ...timing })
    if (result.record !== before && result.record) {
      await this.sweepLater() // first: a row is never saved without an alarm to forget it
      this.save(id, result.record)
    }
    return result.outcome
  }

  complete(id: string, lease: string, response: string): boolean {
    const result = complete(this.load(id), lease, response)
    if (result.stored && result.record) this.save(id, result.record)
    return result.stored
  }

  abandon(id: string, lease: string): void {
    const before = this.load(id)
    if (abandon(before, lease) === undefined && before) this.ctx.storage.sql.exec('DELETE FROM records WHERE id = ?', id)
  }

  override async alarm(): Promise<void> {
    // An object of the earlier one-object-per-key layout (its record under one key) is never asked again.
    if (this.ctx.storage.kv.get(LEGACY_RECORD_KEY) !== undefined) return this.ctx.storage.deleteAll()
    this.ctx.storage.sql.exec('DELETE FROM records WHERE forget_at <= ?', this.now())
    const [next] = this.ctx.storage.sql.exec<{ at: number | null }>('SELECT min(forget_at) AS at FROM records').toArray()
    if (next?.at != null) await this.ctx.storage.setAlarm(Math.max(next.at, this.now() + SWEEP_EVERY_MS))
  }

  private load(id: string): IdempotencyRecord | undefined {
    const [row] = this.ctx.storage.sql.exec<{ record: string }>('SELECT record FROM records WHERE id = ?', id).toArray()
    return row ? (JSON.parse(row.record) as IdempotencyRecord) : undefined
  }

  private save(id: string, record: IdempotencyRecord): void {
    this.ctx.storage.sql.exec(
      'INSERT INTO records (id, record, forget_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, forget_at = excluded.forget_at',
      id,
      JSON.stringify(record),
      forgettableAt(record),
    )
  }

  /** One alarm sweeps every lapsed record: armed when none is, never sooner than a minute. */
  private async sweepLater(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(this.now() + SWEEP_EVERY_MS)
  }
}
