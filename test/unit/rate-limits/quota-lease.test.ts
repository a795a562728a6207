import { describe, expect, it } from 'vitest'
import { CLAIM_MS, leaseSize, QuotaLeases } from '../../../src/rate-limits/quota-lease'
import type { RateLimitVerdict } from '../../../src/rate-limits/gcra'

const verdict = (remaining: number): RateLimitVerdict => ({ allowed: true, limit: 1000, remaining, resetMs: 1000, retryAfterMs: 0 })
const policy = { limit: 1000, windowSeconds: 60 } // one unit every 60 ms; leases of 20 units stand for 1.2 s

describe('leaseSize', () => {
  it('leases 2% of large quotas and nothing of small ones', () => {
    expect(leaseSize({ limit: 100_000, windowSeconds: 60 })).toBe(2000)
    expect(leaseSize({ limit: 1000, windowSeconds: 60 })).toBe(20)
    expect(leaseSize({ limit: 100, windowSeconds: 60 })).toBe(2)
    for (const limit of [1, 5, 60, 99]) expect(leaseSize({ limit, windowSeconds: 60 })).toBe(1)
  })
})

describe('QuotaLeases', () => {
  it('hands out exactly the units of a lease, then asks for a new one', () => {
    const leases = new QuotaLeases()
    expect(leases.take('k', 0)).toBeUndefined()
    leases.keep('k', policy, 20, verdict(500), 0)
    const handed = Array.from({ length: 25 }, () => leases.take('k', 10))
    expect(handed.filter((v) => v !== undefined)).toHaveLength(20)
    expect(handed.slice(0, 20).map((v) => v?.remaining)).toEqual(Array.from({ length: 20 }, (_, i) => 500 + 19 - i))
  })

  it('adds a new lease to what is left of a live one', () => {
    const leases = new QuotaLeases()
    leases.keep('k', policy, 20, verdict(500), 0)
    for (let i = 0; i < 15; i++) leases.take('k', 0)
    leases.keep('k', policy, 20, verdict(400), 0)
    expect(Array.from({ length: 30 }, () => leases.take('k', 0)).filter((v) => v !== undefined)).toHaveLength(25)
  })

  it('lets one request at a time ask for a key\'s lease, the next once it is given back or has lapsed', () => {
    const leases = new QuotaLeases()
    const first = leases.claimRequest('k', 0)
    expect(first).toBe(0)
    expect(leases.claimRequest('k', 10)).toBeUndefined() // a concurrent miss looks again later instead of awaiting the call
    expect(leases.claimRequest('other', 10)).toBe(10)
    leases.endRequest('k', 0)
    expect(leases.claimRequest('k', 20)).toBe(20)
    // A claim whose request was cancelled mid-call is never given back: it lapses.
    expect(leases.claimRequest('k', 20 + CLAIM_MS - 1)).toBeUndefined()
    const later = leases.claimRequest('k', 20 + CLAIM_MS)
    expect(later).toBe(20 + CLAIM_MS)
    // The slow holder ending its call at last does not take the newer claim with it.
    leases.endRequest('k', 20)
    expect(leases.claimRequest('k', 30 + CLAIM_MS)).toBeUndefined()
  })

  it('drops a lease once the time its units stand for has passed', () => {
    const leases = new QuotaLeases()
    leases.keep('k', policy, 20, verdict(500), 0)
    expect(leases.take('k', 1199)).toBeDefined()
    expect(leases.take('k', 1200)).toBeUndefined()
  })

  it('keeps nothing for a lease of no units, and evicts the oldest past its capacity', () => {
    const leases = new QuotaLeases(2)
    leases.keep('none', policy, 0, verdict(5), 0)
    expect(leases.take('none', 0)).toBeUndefined()
    leases.keep('a', policy, 20, verdict(5), 0)
    leases.keep('b', policy, 20, verdict(5), 0)
    leases.keep('c', policy, 20, verdict(5), 0)
    expect(leases.take('a', 0)).toBeUndefined()
    expect(leases.take('c', 0)).toBeDefined()
  })
})
