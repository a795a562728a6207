import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { abandon, begin, type BeginOutcome, complete, type IdempotencyRecord } from '../../../src/idempotency/idempotency-record'

// A lease close to the TTL, so that random waits often cross both, and the end of the TTL often falls inside a lease.
const LEASE_MS = 100
const TTL_MS = 250

/**
 * The reference model: what one Idempotency-Key should answer. The key lives for the TTL from its first claim, and
 * beyond it for as long as a runner still holds a live lease: two runners never hold one key at once. A takeover
 * never lets the key's retention end before its own lease does. A begin repeated by the runner that holds the key
 * (its first answer was lost) is the same claim: proceed, nothing changes.
 */
type Model = { fingerprint: string; expiresAt: number; holder?: { lease: string; until: number }; response?: string }

function modelBegin(m: Model | undefined, fingerprint: string, lease: string, now: number): [BeginOutcome, Model | undefined] {
  const live = m && (now < m.expiresAt || (m.holder !== undefined && now < m.holder.until)) ? m : undefined
  if (!live) return [{ kind: 'proceed', lease }, { fingerprint, expiresAt: now + TTL_MS, holder: { lease, until: now + LEASE_MS } }]
  if (live.fingerprint !== fingerprint) return [{ kind: 'mismatch' }, m]
  if (live.response !== undefined) return [{ kind: 'replay', response: live.response }, m]
  if (live.holder && now < live.holder.until) {
    return live.holder.lease === lease ? [{ kind: 'proceed', lease }, m] : [{ kind: 'in_progress', retryAfterMs: live.holder.until - now }, m]
  }
  return [{ kind: 'proceed', lease }, { ...live, expiresAt: Math.max(live.expiresAt, now + LEASE_MS), holder: { lease, until: now + LEASE_MS } }]
}

const holds = (m: Model | undefined, lease: string) => m?.holder?.lease === lease && m.response === undefined

type Op =
  | { op: 'begin'; fingerprint: 'A' | 'B' }
  | { op: 'retryBegin'; runner: number }
  | { op: 'complete'; runner: number }
  | { op: 'abandon'; runner: number }
  | { op: 'wait'; ms: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('begin' as const), fingerprint: fc.constantFrom('A' as const, 'B' as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('retryBegin' as const), runner: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('complete' as const), runner: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('abandon' as const), runner: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 150 })) }), weight: 4 },
)

/**
 * A runner is a caller that got `proceed`; it holds the key until it finishes or its lease runs out. It may repeat its
 * begin with its own lease (`retryBegin`), as the middleware does when an answer is lost on the way back.
 */
type Runner = { lease: string; fingerprint: string; leaseExpiresAt: number; finished: boolean }

describe('idempotency record against its model (property)', () => {
  it('admits one runner at a time, replays what the lease holder stored, and otherwise answers as the model does', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60, size: 'max' }), (ops) => {
        let now = 0
        let record: IdempotencyRecord | undefined
        let model: Model | undefined
        const runners: Runner[] = []
        let stored: { fingerprint: string; response: string } | undefined
        /** The lease of the last claim that took the key; only it may store a response. */
        let latestClaim: string | undefined

        for (const step of ops) {
          if (step.op === 'wait') {
            now += step.ms
          } else if (step.op === 'begin' || (step.op === 'retryBegin' && runners.length > 0)) {
            const again = step.op === 'retryBegin' ? (runners[step.runner % runners.length] as Runner) : undefined
            const lease = again?.lease ?? `L${runners.length + 1}`
            const fingerprint = again?.fingerprint ?? (step.op === 'begin' ? step.fingerprint : 'A')
            const sameClaim = holds(model, lease) && now < (model?.holder?.until ?? 0)
            const result = begin(record, fingerprint, lease, { now, leaseMs: LEASE_MS, ttlMs: TTL_MS })
            const [expected, nextModel] = modelBegin(model, fingerprint, lease, now)
            if (result.outcome.kind === 'proceed') {
              const stillHolding = runners.filter((r) => r.lease !== lease && !r.finished && now < r.leaseExpiresAt).map((r) => r.lease)
              expect(stillHolding, `${lease} proceeds at ${now} while another runner holds the key`).toEqual([])
              if (sameClaim) {
                expect(result.record, 'a repeated begin of the holder changes nothing').toBe(record)
              } else {
                latestClaim = lease
                if (again) Object.assign(again, { leaseExpiresAt: now + LEASE_MS, finished: false })
                else runners.push({ lease, fingerprint, leaseExpiresAt: now + LEASE_MS, finished: false })
              }
            }
            if (result.outcome.kind === 'replay') {
              expect(stored, 'a replay needs a stored response').toBeDefined()
              expect(result.outcome.response).toBe(stored?.response)
              expect(fingerprint).toBe(stored?.fingerprint)
            }
            expect(result.outcome).toEqual(expected)
            record = result.record
            model = nextModel
          } else if (runners.length > 0) {
            const runner = runners[step.runner % runners.length] as Runner
            if (step.op === 'complete') {
              const response = `response of ${runner.lease}`
              const result = complete(record, runner.lease, response)
              const repeat = model?.response === response // this runner stored it already; its answer was lost
              expect(result.stored).toBe(holds(model, runner.lease) || repeat)
              if (repeat) {
                expect(result.record, 'a repeated complete changes nothing').toBe(record)
              } else if (result.stored) {
                expect(runner.lease, 'only the latest claim may store').toBe(latestClaim)
                stored = { fingerprint: runner.fingerprint, response }
                model = { ...(model as Model), holder: undefined, response }
              } else {
                expect(result.record).toBe(record)
              }
              record = result.record
            } else {
              const next = abandon(record, runner.lease)
              expect(next === undefined && record !== undefined).toBe(holds(model, runner.lease))
              if (holds(model, runner.lease)) model = undefined
              record = next
            }
            runner.finished = true
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
