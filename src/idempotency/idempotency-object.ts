import { DurableObject } from 'cloudflare:workers'
import { abandon, begin, complete, type BeginOutcome, type IdempotencyRecord } from './idempotency-record'

const RECORD_KEY = 'record'

/**
 * One object per (caller, Idempotency-Key). Its input gate runs `begin` calls one at a time, so of
 * two simultaneous requests with one key exactly one proceeds and the other sees it in flight:
 * correctness without locks or a unique-constraint race. Keys of different callers never share
 * an object, so this scales with callers instead of funnelling every POST through D1's single
 * writer. An alarm deletes the record when its retention (IDEMPOTENCY_TTL_HOURS) ends.
 *
 * Every method is safe to call again after a lost answer: the caller chooses the lease, so a
 * repeated `begin` is the same claim, and `complete` and `abandon` change nothing the second time.
 */
export class IdempotencyObject extends DurableObject<Env> {
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): number => Date.now()

  async begin(fingerprint: string, lease: string, timing: { leaseMs: number; ttlMs: number }): Promise<BeginOutcome> {
    const before = this.load()
    const result = begin(before, fingerprint, lease, { now: this.now(), ...timing })
    if (result.record !== before && result.record) {
      this.ctx.storage.kv.put(RECORD_KEY, result.record)
      if (!before || before.expiresAt <= this.now()) await this.ctx.storage.setAlarm(result.record.expiresAt)
    }
    return result.outcome
  }

  complete(lease: string, response: string): boolean {
    const result = complete(this.load(), lease, response)
    if (result.stored && result.record) this.ctx.storage.kv.put(RECORD_KEY, result.record)
    return result.stored
  }

  abandon(lease: string): void {
    const before = this.load()
    if (abandon(before, lease) === undefined && before) this.ctx.storage.kv.delete(RECORD_KEY)
  }

  override async alarm(): Promise<void> {
    const record = this.load()
    if (!record || record.expiresAt <= this.now()) await this.ctx.storage.deleteAll()
    else await this.ctx.storage.setAlarm(record.expiresAt)
  }

  private load(): IdempotencyRecord | undefined {
    return this.ctx.storage.kv.get<IdempotencyRecord>(RECORD_KEY)
  }
}
