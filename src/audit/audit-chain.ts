import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

/**
 * The audit log as a hash chain: each entry's hash covers the previous entry's hash and the
 * entry's own fields, so editing, deleting or reordering any entry breaks every hash after it,
 * and `firstBreak` names the first entry that no longer holds. Pure; SHA-256 is computed
 * synchronously so the log's object appends without yielding between reading the last hash and
 * writing the next.
 */

/** What an entry's details may hold: plain values only, so every entry hashes and travels the same. */
export type AuditValue = string | number | boolean | null

export type AuditRecord = {
  /** 1, 2, 3, … with no gaps. */
  seq: number
  at: string
  /** Who did it: a user id, or `system`. */
  actorId: string
  action: string
  /** What it was done to (a user, an order, a key), when there is one. */
  subjectId: string | null
  details: Record<string, AuditValue>
}

export type ChainedRecord = AuditRecord & { prevHash: string; hash: string }

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64)

/** JSON with object keys sorted at every depth: the same record always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

export function entryHash(prevHash: string, r: AuditRecord): string {
  const fields = { seq: r.seq, at: r.at, actorId: r.actorId, action: r.action, subjectId: r.subjectId, details: r.details }
  return bytesToHex(sha256(utf8ToBytes(`${prevHash}\n${canonical(fields)}`)))
}

/** The entry after `last` (or the first), chained to it. */
export function chain(last: Pick<ChainedRecord, 'seq' | 'hash'> | undefined, entry: Omit<AuditRecord, 'seq'>): ChainedRecord {
  const record = { ...entry, seq: (last?.seq ?? 0) + 1 }
  const prevHash = last?.hash ?? GENESIS
  return { ...record, prevHash, hash: entryHash(prevHash, record) }
}

export type ChainBreak = { seq: number; reason: 'missing' | 'unlinked' | 'altered' }

/**
 * The first entry, read in seq order from `expectedSeq` after `prevHash`, that does not hold:
 * a gap in seq (`missing`: an entry deleted), a `prevHash` that is not the hash before it
 * (`unlinked`: entries reordered or removed), or a hash its fields no longer give (`altered`).
 */
export function firstBreak(records: readonly ChainedRecord[], from: { seq: number; prevHash: string } = { seq: 1, prevHash: GENESIS }): ChainBreak | null {
  let expected = from.seq
  let prev = from.prevHash
  for (const r of records) {
    if (r.seq !== expected) return { seq: expected, reason: 'missing' }
    if (r.prevHash !== prev) return { seq: r.seq, reason: 'unlinked' }
    if (entryHash(r.prevHash, r) !== r.hash) return { seq: r.seq, reason: 'altered' }
    prev = r.hash
    expected++
  }
  return null
}
