import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { CircuitBreakerObject } from '../../../src/payments/circuit-breaker-object'
import { breakerStub } from '../../../src/payments/payment-gateway-client'
import { createApp } from '../../../src/app'
import { call, json } from '../support/api'
import { fetchWith } from '../support/test-app'

type Health = { status: string; checks: Record<string, { status: string; latencyMs: number; detail?: string }> }

describe('GET /health', () => {
  it('reports each dependency as ok when all are up', async () => {
    const res = await call('/health')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = await json<Health>(res)
    expect(body.status).toBe('ok')
    expect(Object.keys(body.checks).sort()).toEqual(['config', 'd1', 'durableObjects', 'gatewayBreaker', 'queue'])
    for (const check of Object.values(body.checks)) expect(check.status).toBe('ok')
  })

  it('answers 503 naming the setting at fault, never its value, when configuration is broken', async () => {
    const secret = 'too-short-secret'
    const res = await fetchWith(createApp(), new Request('https://souk.test/health'), { PSEUDONYM_KEY: secret })
    expect(res.status).toBe(503)
    const text = await res.text()
    expect(text).not.toContain(secret)
    const body = JSON.parse(text) as Health
    expect(body.status).toBe('degraded')
    expect(body.checks.config).toMatchObject({ status: 'error', detail: expect.stringContaining('PSEUDONYM_KEY') })
    expect(body.checks.d1?.status).toBe('ok')
  })

  it('reports a broken database without failing the other checks', async () => {
    const broken = { prepare: () => { throw new Error('D1_ERROR: no such table: users') } }
    const res = await fetchWith(createApp(), new Request('https://souk.test/health'), { DB: broken })
    expect(res.status).toBe(503)
    const body = await json<Health>(res)
    expect(body.checks.d1?.status).toBe('error')
    expect(body.checks.d1?.detail).not.toContain('users')
    expect(body.checks.durableObjects?.status).toBe('ok')
  })

  it('reports an open payment gateway breaker as degraded, by name', async () => {
    const breaker = breakerStub(env, 'sandbox')
    const policy = { minFailures: 1, failureRate: 0.1, windowMs: 60_000, cooldownMs: 3_600_000 }
    expect(await breaker.record('failed', policy)).toBe('open')
    try {
      const res = await fetchWith(createApp(), new Request('https://souk.test/health'))
      expect(res.status).toBe(503)
      expect((await json<Health>(res)).checks.gatewayBreaker).toMatchObject({ status: 'error', detail: 'CircuitOpen' })
    } finally {
      await runInDurableObject(breaker, (_o: CircuitBreakerObject, state) => {
        state.storage.kv.delete('breaker')
      })
    }
  })

  it('answers API calls with 503 service_misconfigured when settings are invalid', async () => {
    const res = await fetchWith(createApp(), new Request('https://souk.test/v1/me'), { ENVIRONMENT: 'staging' })
    expect(res.status).toBe(503)
    const body = await json(res)
    expect(body).toMatchObject({ code: 'service_misconfigured' })
    expect(JSON.stringify(body)).not.toContain('staging')
  })
})
