import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { consumeQuota } from '../../../src/rate-limits/rate-limit-store'

/** The real RATE_LIMITER namespace whose stubs record each `consume`'s cost and hold the first until `release`. */
function gatedCounters() {
  const costs: (number | undefined)[] = []
  let release = () => {}
  const gate = new Promise<void>((resolve) => (release = resolve))
  const namespace = new Proxy(env.RATE_LIMITER, {
    get(target, prop) {
      if (prop === 'get') {
        return (id: DurableObjectId) => {
          const stub = target.get(id)
          return {
            consume: async (...args: Parameters<typeof stub.consume>) => {
              costs.push(args[1])
              if (costs.length === 1) await gate
              return stub.consume(...args)
            },
          }
        }
      }
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
  return { env: { ...env, RATE_LIMITER: namespace }, costs, release }
}

describe('consumeQuota', () => {
  const policy = { limit: 1000, windowSeconds: 60 } // leased 20 units at a time

  it('lets a miss that finds a lease request in flight take from that lease once it lands, without awaiting the other request\'s call', async () => {
    const counters = gatedCounters()
    const subject = `ip:test-${crypto.randomUUID()}`
    const leasing = consumeQuota(counters.env, 'read', subject, policy)
    setTimeout(() => counters.release(), 5)
    // A generous wait, so a slow machine cannot turn this into the fallback of the next test.
    const [first, second] = await Promise.all([leasing, consumeQuota(counters.env, 'read', subject, policy, { maxMs: 10_000, everyMs: 2 })])
    expect([first.allowed, second.allowed]).toEqual([true, true])
    expect(counters.costs).toEqual([20]) // one lease request; the second miss spent from it
  })

  it('lets a miss spend a unit of its own when the lease in flight is slow, so no request hangs on another', async () => {
    const counters = gatedCounters()
    const subject = `ip:test-${crypto.randomUUID()}`
    const leasing = consumeQuota(counters.env, 'read', subject, policy)
    // The second miss answers while the first is still held at the counter (as if its request had been cancelled).
    const second = await consumeQuota(counters.env, 'read', subject, policy)
    expect(second.allowed).toBe(true)
    expect(counters.costs).toEqual([20, undefined])

    counters.release()
    expect((await leasing).allowed).toBe(true)
    // The lease is kept: the next request spends from it without a call.
    expect((await consumeQuota(counters.env, 'read', subject, policy)).allowed).toBe(true)
    expect(counters.costs).toEqual([20, undefined])
  })
})
