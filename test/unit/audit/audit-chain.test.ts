import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chain, entryHash, firstBreak, GENESIS, type ChainedRecord } from '../../../src/audit/audit-chain'

const entry = (i: number) => ({ at: `2026-03-16T10:00:${String(i % 60).padStart(2, '0')}.000Z`, actorId: `usr_${i}`, action: 'account.frozen', subjectId: i % 2 ? `usr_s${i}` : null, details: { n: i, why: 'test' } })

function log(n: number): ChainedRecord[] {
  const out: ChainedRecord[] = []
  for (let i = 0; i < n; i++) out.push(chain(out.at(-1), entry(i)))
  return out
}

describe('the audit hash chain', () => {
  it('numbers entries from 1, links each to the one before, and holds as written', () => {
    const l = log(5)
    expect(l.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
    expect(l[0]?.prevHash).toBe(GENESIS)
    for (let i = 1; i < l.length; i++) expect(l[i]?.prevHash).toBe(l[i - 1]?.hash)
    expect(firstBreak(l)).toBeNull()
  })

  it('hashes the same record the same whatever the order of its details’ keys', () => {
    const r = { seq: 1, ...entry(1) }
    expect(entryHash(GENESIS, { ...r, details: { b: 2, a: 1 } })).toBe(entryHash(GENESIS, { ...r, details: { a: 1, b: 2 } }))
  })

  it('names the first entry that was changed, deleted or moved, under any one tampering', () => {
    const tamper = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), at: fc.nat(), field: fc.constantFrom('actorId', 'action', 'subjectId', 'at', 'details') }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), tamper, (n, t) => {
        const rows = log(n)
        const i = t.at % (n - 1)
        let expected: { seq: number; reason: string }
        if (t.kind === 'edit') {
          const r = rows[i] as ChainedRecord
          rows[i] = t.field === 'details' ? { ...r, details: { ...r.details, n: -1 } } : { ...r, [t.field]: `${String(r[t.field])}x` }
          expected = { seq: i + 1, reason: 'altered' }
        } else if (t.kind === 'delete') {
          rows.splice(i, 1)
          expected = { seq: i + 1, reason: 'missing' }
        } else {
          // Two neighbours trade places, each keeping its own seq: the chain no longer links.
          const [a, b] = [rows[i] as ChainedRecord, rows[i + 1] as ChainedRecord]
          rows[i] = { ...b, seq: a.seq }
          rows[i + 1] = { ...a, seq: b.seq }
          expected = { seq: i + 1, reason: 'unlinked' }
        }
        expect(firstBreak(rows)).toEqual(expected)
      }),
    )
  })
})
