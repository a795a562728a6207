import { describe, expect, it } from 'vitest'
import { BreakerView, OK_BATCH, VIEW_TTL_MS, type SharedBreaker } from '../../../src/payments/breaker-view'
import { allows, closedBreaker, record, type BreakerPolicy, type BreakerState } from '../../../src/payments/circuit-breaker'

const policy: BreakerPolicy = { minFailures: 3, failureRate: 0.5, windowMs: 60_000, cooldownMs: 10_000 }

/** The shared object, in memory, counting the round trips an isolate makes to it. */
function sharedBreaker(now: () => number) {
  let state: BreakerState = closedBreaker()
  const calls = { check: 0, record: 0, okReported: 0 }
  const shared: SharedBreaker = {
    check: (p) => {
      calls.check++
      const r = allows(state, now(), p)
      state = r.state
      return Promise.resolve({ allowed: r.allowed, mode: r.state.mode })
    },
    record: (outcome, p, okBefore) => {
      calls.record++
      calls.okReported += okBefore + (outcome === 'ok' ? 1 : 0)
      for (let i = 0; i < okBefore; i++) state = record(state, 'ok', now(), p)
      state = record(state, outcome, now(), p)
      return Promise.resolve(state.mode)
    },
  }
  return { shared, calls, mode: () => state.mode }
}

describe('BreakerView', () => {
  it('trusts a closed answer for VIEW_TTL_MS, then asks again', async () => {
    let t = 0
    const { shared, calls } = sharedBreaker(() => t)
    const view = new BreakerView(() => t)
    for (let i = 0; i < 10; i++) expect(await view.allow(shared, policy)).toBe(true)
    expect(calls.check).toBe(1)
    t += VIEW_TTL_MS
    await view.allow(shared, policy)
    expect(calls.check).toBe(2)
  })

  it('reports successes in batches, and with the next failure, so none is lost', async () => {
    const { shared, calls } = sharedBreaker(() => 0)
    const view = new BreakerView(() => 0)
    await view.allow(shared, policy)
    for (let i = 0; i < OK_BATCH - 1; i++) await view.record(shared, 'ok', policy)
    expect(calls.record).toBe(0)
    await view.record(shared, 'ok', policy)
    expect(calls).toMatchObject({ record: 1, okReported: OK_BATCH })
    for (let i = 0; i < 5; i++) await view.record(shared, 'ok', policy)
    await view.record(shared, 'failed', policy)
    expect(calls).toMatchObject({ record: 2, okReported: OK_BATCH + 5 })
  })

  it('asks the shared object on every call once it is open, and sees the half-open probe', async () => {
    let t = 0
    const { shared, calls, mode } = sharedBreaker(() => t)
    const view = new BreakerView(() => t)
    await view.allow(shared, policy)
    for (let i = 0; i < 3; i++) await view.record(shared, 'failed', policy)
    expect(mode()).toBe('open')
    const before = calls.check
    expect(await view.allow(shared, policy)).toBe(false)
    expect(await view.allow(shared, policy)).toBe(false)
    expect(calls.check).toBe(before + 2)
    t += policy.cooldownMs
    expect(await view.allow(shared, policy)).toBe(true)
    await view.record(shared, 'ok', policy)
    expect(mode()).toBe('closed')
  })
})
