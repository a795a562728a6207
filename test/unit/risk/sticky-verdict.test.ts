import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_NOTED_VERDICTS, noteVerdict, stickyVerdict, type NotedDecision, type NotedVerdicts } from '../../../src/risk/sticky-verdict'

const d = (verdict: NotedDecision['verdict'], score = 10): NotedDecision => ({ verdict, hits: verdict === 'allow' ? [] : [{ rule: verdict, reason: verdict }], score })
const never = (): NotedDecision => {
  throw new Error('decided again')
}

describe('stickyVerdict', () => {
  it('decides a new checkout now, and notes anything but allow', () => {
    expect(stickyVerdict({ kind: 'none' }, () => d('allow'))).toEqual({ decision: d('allow'), note: false })
    for (const v of ['block', 'review', 'challenge'] as const) expect(stickyVerdict({ kind: 'none' }, () => d(v))).toEqual({ decision: d(v), note: true })
  })

  it('allows a retry of a checkout that was allowed, whatever the rules say now', () => {
    expect(stickyVerdict({ kind: 'allowed' }, never)).toEqual({ decision: { verdict: 'allow', hits: [], score: 0 }, note: false })
  })

  it('answers a retry of a blocked or reviewed checkout as the first try was, without deciding again', () => {
    expect(stickyVerdict({ kind: 'noted', decision: d('block') }, never)).toEqual({ decision: d('block'), note: false })
    expect(stickyVerdict({ kind: 'noted', decision: d('review') }, never)).toEqual({ decision: d('review'), note: false })
  })

  it('decides a challenged checkout again (its retry brings the code), and notes the outcome', () => {
    expect(stickyVerdict({ kind: 'noted', decision: d('challenge') }, () => d('allow'))).toEqual({ decision: d('allow'), note: true })
    expect(stickyVerdict({ kind: 'noted', decision: d('challenge') }, () => d('review'))).toEqual({ decision: d('review'), note: true })
  })

  it('never changes a capture mode once chosen: retries of an allowed or reviewed checkout get the same verdict (property)', () => {
    const verdict = fc.constantFrom('allow' as const, 'review' as const, 'block' as const, 'challenge' as const)
    fc.assert(
      fc.property(fc.array(verdict, { minLength: 1, maxLength: 7 }), (fresh) => {
        // The account's memory, as account-object.ts keeps it: the order id seen, and a noted verdict.
        let seen = false
        let noted: NotedDecision | null = null
        let committed: string | null = null
        for (const next of fresh) {
          const prior = noted ? { kind: 'noted' as const, decision: noted } : seen ? { kind: 'allowed' as const } : { kind: 'none' as const }
          const { decision, note } = stickyVerdict(prior, () => d(next))
          if (note) noted = decision
          seen = true
          if (committed) expect(decision.verdict).toBe(committed)
          if (decision.verdict === 'allow' || decision.verdict === 'review') committed ??= decision.verdict
        }
      }),
    )
  })
})

describe('noteVerdict', () => {
  it('keeps one verdict per order, a day at most, and a bounded number', () => {
    let noted: NotedVerdicts = {}
    noted = noteVerdict(noted, 'o1', d('challenge'), 0)
    noted = noteVerdict(noted, 'o1', d('allow'), 1)
    expect(noted.o1).toMatchObject({ verdict: 'allow', at: 1 })
    noted = noteVerdict(noted, 'o2', d('block'), 86_400_000 + 2)
    expect(Object.keys(noted)).toEqual(['o2'])
    for (let i = 0; i < MAX_NOTED_VERDICTS + 5; i++) noted = noteVerdict(noted, `x${i}`, d('review'), 86_400_000 + 3 + i)
    expect(Object.keys(noted)).toHaveLength(MAX_NOTED_VERDICTS)
  })
})
