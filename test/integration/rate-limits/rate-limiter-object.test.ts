import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { RateLimiterObject } from '../../../src/rate-limits/rate-limiter-object'

const fresh = () => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`test:${crypto.randomUUID()}`))

describe('RateLimiterObject', () => {
  it('allows exactly the quota when 200 calls arrive at once', async () => {
    const stub = fresh()
    const verdicts = await Promise.all(Array.from({ length: 200 }, () => stub.consume({ limit: 50, windowSeconds: 3600 })))
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(50)
    const remaining = verdicts.filter((v) => v.allowed).map((v) => v.remaining).sort((a, b) => a - b)
    expect(remaining).toEqual(Array.from({ length: 50 }, (_, i) => i))
    for (const v of verdicts.filter((x) => !x.allowed)) expect(v.retryAfterMs).toBeGreaterThan(0)
  })

  it('keeps its count across a restart and forgets it (storage and all) once idle', async () => {
    const stub = fresh()
    const policy = { limit: 2, windowSeconds: 60 }
    await stub.consume(policy)
    await stub.consume(policy)
    expect((await stub.consume(policy)).allowed).toBe(false)

    // Still busy: the alarm re-arms and keeps the state.
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect((await stub.consume(policy)).allowed).toBe(false)

    await runInDurableObject(stub, (o: RateLimiterObject) => {
      o.now = () => Date.now() + 61_000
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await runInDurableObject(stub, (_o: RateLimiterObject, state) => [...state.storage.kv.list()].length)).toBe(0)
    expect((await stub.consume(policy)).remaining).toBe(1)
  })

  it('refunds and resets', async () => {
    const stub = fresh()
    const policy = { limit: 1, windowSeconds: 60 }
    expect((await stub.consume(policy)).allowed).toBe(true)
    expect((await stub.consume(policy)).allowed).toBe(false)
    await stub.refund(policy)
    expect((await stub.consume(policy)).allowed).toBe(true)
    await stub.reset()
    expect((await stub.consume(policy)).allowed).toBe(true)
  })
})
