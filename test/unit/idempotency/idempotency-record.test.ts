import { describe, expect, it } from 'vitest'
import { abandon, begin, complete, forgettableAt, type IdempotencyRecord, shouldKeep, type Timing } from '../../../src/idempotency/idempotency-record'

const LEASE_MS = 60_000
const TTL_MS = 24 * 3_600_000
const T0 = 1_700_000_000_000
const at = (now: number): Timing => ({ now, leaseMs: LEASE_MS, ttlMs: TTL_MS })

const FP = 'fp-post-checkout-a'
const OTHER_FP = 'fp-post-checkout-b'

/** The record right after the first runner claimed the key at T0 with lease L1. */
const claimed = (): IdempotencyRecord => {
  const r = begin(undefined, FP, 'L1', at(T0)).record
  if (!r) throw new Error('begin on an empty key must claim it')
  return r
}
const completed = (): IdempotencyRecord => {
  const r = complete(claimed(), 'L1', 'sealed-201').record
  if (!r) throw new Error('the holder of the lease must be able to complete')
  return r
}

describe('begin', () => {
  it('claims a fresh key: proceed, in flight, lease and TTL from now', () => {
    expect(begin(undefined, FP, 'L1', at(T0))).toEqual({
      outcome: { kind: 'proceed', lease: 'L1' },
      record: { state: 'in_flight', fingerprint: FP, lease: 'L1', leaseExpiresAt: T0 + LEASE_MS, expiresAt: T0 + TTL_MS },
    })
  })

  it('tells a second caller with the same request to come back when the lease ends, and changes nothing', () => {
    const record = claimed()
    const r = begin(record, FP, 'L2', at(T0 + 15_000))
    expect(r.outcome).toEqual({ kind: 'in_progress', retryAfterMs: LEASE_MS - 15_000 })
    expect(r.record).toBe(record)
  })

  it('answers proceed again to a repeated begin with the same lease while it holds the key, and changes nothing', () => {
    // The first begin committed but its answer was lost on the way back; the caller asks again with the lease it chose.
    const record = claimed()
    for (const now of [T0, T0 + 1, T0 + LEASE_MS - 1]) {
      const r = begin(record, FP, 'L1', at(now))
      expect(r.outcome).toEqual({ kind: 'proceed', lease: 'L1' })
      expect(r.record).toBe(record)
    }
  })

  it('does not let a repeated lease past the checks that come first: another request is mismatch, a finished one replays', () => {
    expect(begin(claimed(), OTHER_FP, 'L1', at(T0 + 1)).outcome).toEqual({ kind: 'mismatch' })
    expect(begin(completed(), FP, 'L1', at(T0 + 1)).outcome).toEqual({ kind: 'replay', response: 'sealed-201' })
  })

  it('lets a repeated lease claim afresh once its lease has ended, like any other caller', () => {
    const now = T0 + LEASE_MS
    expect(begin(claimed(), FP, 'L1', at(now))).toEqual({
      outcome: { kind: 'proceed', lease: 'L1' },
      record: { state: 'in_flight', fingerprint: FP, lease: 'L1', leaseExpiresAt: now + LEASE_MS, expiresAt: T0 + TTL_MS },
    })
  })

  it('answers mismatch for a different request under the same key, even while the first is in flight', () => {
    const record = claimed()
    const r = begin(record, OTHER_FP, 'L2', at(T0 + 1))
    expect(r.outcome).toEqual({ kind: 'mismatch' })
    expect(r.record).toBe(record)
  })

  it('answers mismatch for a different request once the first has completed', () => {
    expect(begin(completed(), OTHER_FP, 'L2', at(T0 + 1)).outcome).toEqual({ kind: 'mismatch' })
  })

  it('replays the stored response to the same request, at any time before the key expires', () => {
    const record = completed()
    for (const now of [T0 + 1, T0 + LEASE_MS * 10, T0 + TTL_MS - 1]) {
      const r = begin(record, FP, 'L2', at(now))
      expect(r.outcome).toEqual({ kind: 'replay', response: 'sealed-201' })
      expect(r.record).toBe(record)
    }
  })

  it('treats an expired record as no record: any request proceeds with a new TTL', () => {
    for (const record of [claimed(), completed()]) {
      for (const fp of [FP, OTHER_FP]) {
        expect(begin(record, fp, 'L2', at(T0 + TTL_MS))).toEqual({
          outcome: { kind: 'proceed', lease: 'L2' },
          record: { state: 'in_flight', fingerprint: fp, lease: 'L2', leaseExpiresAt: T0 + TTL_MS + LEASE_MS, expiresAt: T0 + 2 * TTL_MS },
        })
      }
    }
  })

  it('lets the same request take over once the lease has expired (the first runner died), keeping the original expiry', () => {
    const now = T0 + LEASE_MS
    expect(begin(claimed(), FP, 'L2', at(now))).toEqual({
      outcome: { kind: 'proceed', lease: 'L2' },
      record: { state: 'in_flight', fingerprint: FP, lease: 'L2', leaseExpiresAt: now + LEASE_MS, expiresAt: T0 + TTL_MS },
    })
  })

  it('does not let a different request take over an expired lease', () => {
    expect(begin(claimed(), OTHER_FP, 'L2', at(T0 + LEASE_MS + 1)).outcome).toEqual({ kind: 'mismatch' })
  })

  it('keeps the key held while a taken-over lease is live, even past the original expiry', () => {
    // The first runner died; a second took over 30 s before the key's TTL ran out, so its lease outlives the TTL.
    const takeover = begin(claimed(), FP, 'L2', at(T0 + TTL_MS - 30_000))
    expect(takeover.outcome).toEqual({ kind: 'proceed', lease: 'L2' })
    // 10 s after the TTL, L2 is still running: a third caller must not run the same request beside it.
    const third = begin(takeover.record, FP, 'L3', at(T0 + TTL_MS + 10_000))
    expect(third.outcome.kind).not.toBe('proceed')
  })
})

describe('complete', () => {
  it('stores the response under the lease that holds the key, keeping fingerprint and expiry', () => {
    expect(complete(claimed(), 'L1', 'sealed-201')).toEqual({
      stored: true,
      record: { state: 'completed', fingerprint: FP, response: 'sealed-201', expiresAt: T0 + TTL_MS },
    })
  })

  it('stores nothing for a lease that never held the key', () => {
    const record = claimed()
    expect(complete(record, 'L9', 'sealed-201')).toEqual({ stored: false, record })
  })

  it('stores nothing for an old lease after a takeover: the late runner lost the key', () => {
    const takeover = begin(claimed(), FP, 'L2', at(T0 + LEASE_MS)).record
    expect(complete(takeover, 'L1', 'sealed-from-L1')).toEqual({ stored: false, record: takeover })
    expect(complete(takeover, 'L2', 'sealed-from-L2')).toMatchObject({ stored: true, record: { response: 'sealed-from-L2' } })
  })

  it('never overwrites a completed response, even with the lease that stored it', () => {
    const record = completed()
    expect(complete(record, 'L1', 'sealed-again')).toEqual({ stored: false, record })
  })

  it('answers stored again to a repeat of the call that stored the response, and changes nothing', () => {
    const record = completed()
    expect(complete(record, 'L1', 'sealed-201')).toEqual({ stored: true, record })
  })

  it('stores nothing when there is no record', () => {
    expect(complete(undefined, 'L1', 'sealed-201')).toEqual({ stored: false, record: undefined })
  })
})

describe('abandon', () => {
  it('frees the key for the lease that holds it, so the same request runs again', () => {
    const freed = abandon(claimed(), 'L1')
    expect(freed).toBeUndefined()
    expect(begin(freed, FP, 'L2', at(T0 + 1)).outcome).toEqual({ kind: 'proceed', lease: 'L2' })
  })

  it('leaves the record alone for any other lease', () => {
    const record = claimed()
    expect(abandon(record, 'L2')).toBe(record)
    const takeover = begin(record, FP, 'L2', at(T0 + LEASE_MS)).record
    expect(abandon(takeover, 'L1')).toBe(takeover)
  })

  it('never frees a completed key', () => {
    const record = completed()
    expect(abandon(record, 'L1')).toBe(record)
  })

  it('does nothing without a record', () => {
    expect(abandon(undefined, 'L1')).toBeUndefined()
  })
})

describe('forgettableAt', () => {
  it('forgets a completed record when its retention ends', () => {
    expect(forgettableAt(completed())).toBe(T0 + TTL_MS)
  })

  it('keeps an in-flight record until both its retention and its lease are over', () => {
    expect(forgettableAt(claimed())).toBe(T0 + TTL_MS)
    // `begin` never makes one whose lease outlives its retention, but a stored record is trusted no further than `begin` trusts it.
    const leaseOutlasting: IdempotencyRecord = { state: 'in_flight', fingerprint: FP, lease: 'L1', leaseExpiresAt: T0 + 2 * TTL_MS, expiresAt: T0 + TTL_MS }
    expect(forgettableAt(leaseOutlasting)).toBe(T0 + 2 * TTL_MS)
    expect(begin(leaseOutlasting, FP, 'L2', at(T0 + TTL_MS + 1)).outcome.kind).toBe('in_progress')
  })
})

describe('shouldKeep', () => {
  it.each([
    [200, true],
    [201, true],
    [202, true],
    [204, true],
    [302, false], // not an outcome any Souk route gives
    [400, false], // failed validation: never ran
    [401, false], // bad credential or missing step-up code: the retry with a code must run
    [402, true], // payment declined: the charge was attempted
    [403, false], // refused before running
    [404, false],
    [409, true], // a conflict with the state the operation saw
    [410, true],
    [413, false],
    [415, false], // wrong content type: the corrected retry must run
    [422, true], // a domain rule refused it
    [428, false],
    [429, false], // told to come back later, so coming back must run it
    [500, false],
    [502, false],
    [503, false],
    [504, false],
  ])('status %i → %s', (status, keep) => {
    expect(shouldKeep(status)).toBe(keep)
  })
})
