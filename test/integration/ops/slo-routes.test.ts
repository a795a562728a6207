import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { metricsSinkOf } from '../../../src/ops/metrics-adapters'
import type { SloReport } from '../../../src/ops/slo-report'
import { call, json, makeStaff, register, type Registered } from '../support/api'
import { fetchWith } from '../support/test-app'

/**
 * GET /v1/admin/slo over real traffic: requests through the worker become route points (the
 * access log's sink), the local store keeps them, and the report shows them with the objectives'
 * budgets and burn. Staff only; bad windows are refused.
 */
async function staff(role: 'admin' | 'support' = 'support'): Promise<Registered> {
  const who = await register(`slo-${role}`)
  await makeStaff(who.user.id, role)
  return who
}

const slo = (token: string | undefined, query = '') => call(`/v1/admin/slo${query}`, { token })

describe('GET /v1/admin/slo', () => {
  it('shows the routes just called with their counts, and the read objectives counting them', async () => {
    const user = await register('slo-reader')
    for (let i = 0; i < 6; i++) expect((await call('/v1/me', { token: user.token })).status).toBe(200)
    expect((await call('/v1/listings?limit=5', { token: user.token })).status).toBe(200)
    const support = await staff('support')

    const res = await slo(support.token, '?hours=1')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const report = await json<SloReport>(res)
    const me = report.routes.find((r) => r.kind === 'route' && r.name === 'GET /v1/me')
    expect(me).toBeDefined()
    expect(me!.total).toBeGreaterThanOrEqual(6)
    expect(me!.ratePerSecond).toBeGreaterThan(0)
    expect(me!.p50Ms).not.toBeNull()
    expect(report.routes.find((r) => r.name === 'GET /v1/listings')?.total).toBeGreaterThanOrEqual(1)

    const reads = report.objectives.find((o) => o.id === 'reads_availability')!
    expect(reads.period.total).toBeGreaterThanOrEqual(7)
    expect(reads.period.good).toBeLessThanOrEqual(reads.period.total)
    expect(reads.budgetLeft).toBeLessThanOrEqual(1)
    expect(Object.keys(reads.burnRates).sort()).toEqual(['1h', '30m', '5m', '6h'])
    expect(report.objectives.map((o) => o.id)).toEqual(expect.arrayContaining(['bids_availability', 'bids_latency', 'checkout_availability', 'checkout_latency', 'reads_latency', 'webhook_delivery', 'notification_delay']))

    expect(report.hours).toBe(1)
    expect(report.series).toHaveLength(60)
    expect(report.series.reduce((s, p) => s + p.requests, 0)).toBeGreaterThanOrEqual(7)
  })

  it('spends an objective’s budget with its failures and names the burn-rate rules firing', async () => {
    const name = `test.slo.${crypto.randomUUID().slice(0, 8)}`
    const objective = { id: 'test_outcome', description: 'a test outcome', target: 0.99, periodDays: 28, indicator: { kind: 'outcome', names: [name], sli: 'availability' } }
    const sink = metricsSinkOf(env, () => undefined)
    const now = Date.now()
    for (let i = 0; i < 20; i++) sink.record({ kind: 'outcome', name, error: i < 5, durationMs: 10, at: now })
    const admin = await staff('admin')
    const res = await fetchWith(createApp(), new Request('https://souk.test/v1/admin/slo', { headers: { authorization: `Bearer ${admin.token}` } }), { SLO_OBJECTIVES: JSON.stringify([objective]) } as Partial<Record<keyof Env, unknown>>)
    expect(res.status).toBe(200)
    const report = await json<SloReport>(res)
    expect(report.objectives).toHaveLength(1)
    const o = report.objectives[0]!
    // 5 bad of 20 with 1% allowed: 25 times the budget spent, burning at 25× in every window (over 14.4× and 6×).
    expect(o.period).toEqual({ total: 20, good: 15 })
    expect(o.budgetLeft).toBeCloseTo(1 - 5 / 0.2)
    expect(o.burnRates['5m']).toBeCloseTo(25)
    expect(o.burnRates['6h']).toBeCloseTo(25)
    expect(o.firing).toEqual(['fast_burn', 'slow_burn'])
    expect(report.series.at(-1)!.burn.test_outcome).toBeCloseTo(25)
    expect(report.routes.find((r) => r.name === name)).toMatchObject({ kind: 'outcome', total: 20, errorRate: 0.25 })
  })

  it.each(['?hours=0', '?hours=abc', '?hours=1000', '?hours=2.5'])('refuses %s with a 400 problem', async (query) => {
    const support = await staff()
    const res = await slo(support.token, query)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect((await json<{ code: string }>(res)).code).toBe('validation_failed')
  })

  it('is for staff: 403 for a member, 401 without a credential', async () => {
    const member = await register('slo-member')
    expect((await slo(member.token)).status).toBe(403)
    expect((await slo(undefined)).status).toBe(401)
  })
})
