import { ADDRESS_HASH_PREFIX } from './blind-index'
import type { PersonalData } from './pii-adapters'
import { envelopePrefix, PersonalDataUnreadable } from './pii-envelope'

/**
 * The key rotation's sweep of D1 (scripts/rotate-pii-keys.ts; docs/OPERATIONS.md "Rotating the
 * personal-data keys"): every sealed column is read in bounded batches, by rowid, and each value
 * not sealed under the current key (plaintext from before sealing included) is sealed anew; every
 * user without an e-mail blind index gets one; every send still keyed by an address is keyed by its
 * hash. Each batch is one SELECT and one D1 batch of updates, each update conditional on the value
 * it replaces (a row changed meanwhile is left to its writer, who sealed it under the current key).
 * Idempotent: a second run finds nothing to do. Resumable: a run that stops is run again, and
 * what it did no longer matches. A value that cannot be read is reported and left as it is.
 */

/** Just what the sweep asks of a database: a D1 binding, or the remote shell of the script. */
export interface SqlPort {
  all<T>(sql: string, params: unknown[]): Promise<T[]>
  /** Runs the statements as one transaction. */
  batch(statements: Statement[]): Promise<void>
}
export type Statement = { sql: string; params: unknown[] }

/** The subset of a D1 binding that `d1Port` uses (typed here so Node scripts compile without workers types). */
export type D1Like = {
  prepare(sql: string): { bind(...values: unknown[]): unknown }
  batch(statements: never[]): Promise<unknown>
}

export function d1Port(d1: D1Like): SqlPort {
  const bound = (s: Statement) => d1.prepare(s.sql).bind(...s.params) as { all<T>(): Promise<{ results: T[] }> }
  return {
    all: async <T>(sql: string, params: unknown[]) => (await bound({ sql, params }).all<T>()).results,
    batch: async (statements) => {
      if (statements.length > 0) await d1.batch(statements.map(bound) as never[])
    },
  }
}

export type Unreadable = { column: string; owner: string; reason: string }

export type RotationReport = {
  /** Values sealed anew (per column), blind indexes written, sends re-keyed. */
  resealed: Record<string, number>
  indexed: number
  sendsHashed: number
  unreadable: Unreadable[]
}

export type RotationOptions = {
  batchSize?: number
  /** Recompute every user's e-mail index (after PII_INDEX_KEY changed), not only the missing ones. */
  reindex?: boolean
  /** Told after each batch. */
  progress?: (what: string, done: number) => void
}

type Sweep<Row> = {
  name: string
  select: (after: number, limit: number) => Statement
  update: (row: Row, report: RotationReport) => Promise<Statement[]>
}

/** Runs the whole rotation against `db`: users, orders, phone numbers, notification sends. */
export async function rotatePersonalData(db: SqlPort, pd: PersonalData & { currentKid: string }, o: RotationOptions = {}): Promise<RotationReport> {
  const report: RotationReport = { resealed: {}, indexed: 0, sendsHashed: 0, unreadable: [] }
  const batchSize = Math.max(1, Math.min(o.batchSize ?? 100, 500))
  const prefix = envelopePrefix(pd.currentKid)
  for (const sweep of [users(prefix, pd, o.reindex ?? false), orderAddresses(prefix, pd), phones(prefix, pd), sends(pd)] as Sweep<{ rid: number }>[]) {
    let after = 0
    let done = 0
    for (;;) {
      const s = sweep.select(after, batchSize)
      const rows = await db.all<{ rid: number }>(s.sql, s.params)
      if (rows.length === 0) break
      const writes: Statement[] = []
      for (const row of rows) writes.push(...(await sweep.update(row, report)))
      await db.batch(writes)
      after = rows[rows.length - 1]?.rid ?? after
      done += rows.length
      o.progress?.(sweep.name, done)
    }
  }
  return report
}

const count = (report: RotationReport, column: string) => (report.resealed[column] = (report.resealed[column] ?? 0) + 1)

/** Reads `stored` or records why not; undefined when it could not be read. */
async function opened(report: RotationReport, pd: PersonalData, column: Parameters<PersonalData['open']>[0], owner: string, stored: string): Promise<string | undefined> {
  try {
    return await pd.open(column, owner, stored)
  } catch (err) {
    if (!(err instanceof PersonalDataUnreadable)) throw err
    report.unreadable.push({ column, owner, reason: err.reason + (err.kid ? ` (key ${err.kid})` : '') })
    return undefined
  }
}

/** Not sealed under the current key (SQL): a prefix test, so it is the same question `isCurrent` asks. */
const stale = (column: string) => `substr(${column}, 1, ?2) != ?3`

function users(prefix: string, pd: PersonalData, reindex: boolean): Sweep<{ rid: number; id: string; email: string; email_index: string | null }> {
  return {
    name: 'users.email',
    select: (after, limit) => ({
      sql: `SELECT rowid AS rid, id, email, email_index FROM users WHERE rowid > ?1 AND erased_at IS NULL AND (?5 OR email_index IS NULL OR ${stale('email')}) ORDER BY rowid LIMIT ?4`,
      params: [after, prefix.length, prefix, limit, reindex ? 1 : 0],
    }),
    async update(row, report) {
      const email = await opened(report, pd, 'users.email', row.id, row.email)
      if (email === undefined) return []
      const sealed = pd.isCurrent(row.email) ? row.email : await pd.seal('users.email', row.id, email)
      const index = await pd.emailIndex(email)
      if (sealed === row.email && index === row.email_index) return []
      if (sealed !== row.email) count(report, 'users.email')
      if (index !== row.email_index) report.indexed++
      return [{ sql: 'UPDATE users SET email = ?1, email_index = ?2 WHERE id = ?3 AND email = ?4', params: [sealed, index, row.id, row.email] }]
    },
  }
}

function orderAddresses(prefix: string, pd: PersonalData): Sweep<{ rid: number; id: string; shipping_address: string }> {
  return {
    name: 'orders.shipping_address',
    select: (after, limit) => ({
      sql: `SELECT rowid AS rid, id, shipping_address FROM orders WHERE rowid > ?1 AND shipping_address IS NOT NULL AND ${stale('shipping_address')} ORDER BY rowid LIMIT ?4`,
      params: [after, prefix.length, prefix, limit],
    }),
    async update(row, report) {
      const address = await opened(report, pd, 'orders.shipping_address', row.id, row.shipping_address)
      if (address === undefined) return []
      count(report, 'orders.shipping_address')
      return [{ sql: 'UPDATE orders SET shipping_address = ?1 WHERE id = ?2 AND shipping_address = ?3', params: [await pd.seal('orders.shipping_address', row.id, address), row.id, row.shipping_address] }]
    },
  }
}

function phones(prefix: string, pd: PersonalData): Sweep<{ rid: number; user_id: string; phone: string | null; pending_phone: string | null }> {
  const reseal = async (report: RotationReport, userId: string, stored: string | null, column: string): Promise<string | null | undefined> => {
    if (stored === null || pd.isCurrent(stored)) return stored
    const phone = await opened(report, pd, 'phone_numbers.phone', userId, stored)
    if (phone === undefined) return undefined
    count(report, column)
    return pd.seal('phone_numbers.phone', userId, phone)
  }
  return {
    name: 'phone_numbers',
    select: (after, limit) => ({
      sql: `SELECT rowid AS rid, user_id, phone, pending_phone FROM phone_numbers WHERE rowid > ?1 AND (phone IS NOT NULL AND ${stale('phone')} OR pending_phone IS NOT NULL AND ${stale('pending_phone')}) ORDER BY rowid LIMIT ?4`,
      params: [after, prefix.length, prefix, limit],
    }),
    async update(row, report) {
      const phone = await reseal(report, row.user_id, row.phone, 'phone_numbers.phone')
      const pending = await reseal(report, row.user_id, row.pending_phone, 'phone_numbers.pending_phone')
      if (phone === undefined || pending === undefined) return []
      return [{ sql: 'UPDATE phone_numbers SET phone = ?1, pending_phone = ?2 WHERE user_id = ?3 AND phone IS ?4 AND pending_phone IS ?5', params: [phone, pending, row.user_id, row.phone, row.pending_phone] }]
    },
  }
}

/** Sends recorded under the address itself (before addresses were hashed): keyed by its hash. */
function sends(pd: PersonalData): Sweep<{ rid: number; channel: string; address: string }> {
  return {
    name: 'notification_sends.address',
    select: (after, limit) => ({
      sql: `SELECT rowid AS rid, channel, address FROM notification_sends WHERE rowid > ?1 AND substr(address, 1, ?2) != ?3 ORDER BY rowid LIMIT ?4`,
      params: [after, ADDRESS_HASH_PREFIX.length, ADDRESS_HASH_PREFIX, limit],
    }),
    async update(row, report) {
      report.sendsHashed++
      // OR REPLACE: a retried send may already have recorded the same address by its hash; one row stays.
      return [{ sql: 'UPDATE OR REPLACE notification_sends SET address = ?1 WHERE rowid = ?2 AND address = ?3', params: [await pd.addressHash(row.channel, row.address), row.rid, row.address] }]
    },
  }
}
