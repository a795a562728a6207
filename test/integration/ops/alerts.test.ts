import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AlertsObject } from '../../../src/ops/alerts-object'
import { histogramSize, minuteOf, type MetricRollup } from '../../../src/ops/metrics'
import { metricsStoreStub } from '../../../src/ops/metrics-store-object'
import { call, json, makeStaff, register } from '../support/api'
import { driveAlerts, fakePagerDuty, type FakePagerDuty } from '../support/pagerduty'

/**
 * The alerts object over the real local metrics store: rollups are written into the store as the
 * metrics sink's flush writes them, each test at its own hour far from real traffic, and time is
 * driven through `evaluate(nowMs)` and the object's clock. PagerDuty is a fake receiver.
 */
const MIN = 60_000
let base = Date.UTC(2025, 0, 6, 0, 0, 0)
/** A fresh hour for each test: the store is shared, the windows are not. */
const nextHour = () => (base += 24 * 3_600_000)

const rollup = (minute: number, kind: MetricRollup['kind'], name: string, total: number, errors: number): MetricRollup => ({
  minute: minuteOf(minute),
  kind,
  name,
  total,
  errors,
  histogram: [0, 0, 0, 0, 0, total, ...new Array<number>(histogramSize - 6).fill(0)],
})

/** Checkouts of `minutes` minutes ending at `end`: `total` a minute, `errors` of them answered 5xx. */
async function checkouts(end: number, minutes: number, total: number, errors: number): Promise<void> {
  await metricsStoreStub(env).add(Array.from({ length: minutes }, (_, i) => rollup(end - (i + 1) * MIN, 'route', 'POST /v1/checkout', total, errors)))
}

let pd: FakePagerDuty
let clock: number
let alerts: DurableObjectStub<AlertsObject>
beforeEach(async () => {
  pd = fakePagerDuty()
  clock = nextHour()
  alerts = await driveAlerts(pd, () => clock)
})

describe('burn-rate alerts', () => {
  it('pages a burning budget once per rule, resolves each as its short window clears, and repeats nothing', async () => {
    const t0 = clock
    await checkouts(t0, 10, 50, 10) // 20% of checkouts failing for ten minutes: 200× a 99.9% budget
    const first = await alerts.evaluate(t0)
    expect(first).toMatchObject({ evaluated: true, triggered: ['checkout_availability:fast_burn', 'checkout_availability:slow_burn'], resolved: [], sent: 2, pendingSends: 0 })
    expect(pd.log()).toEqual(['trigger checkout_availability:fast_burn', 'trigger checkout_availability:slow_burn'])
    expect(pd.events[0]).toMatchObject({ payload: { severity: 'critical', source: 'souk-test', timestamp: new Date(t0).toISOString(), custom_details: { objective: 'checkout_availability', rule: 'fast_burn' } } })
    expect(pd.events[0]?.payload?.summary).toMatch(/^checkout_availability: error budget burning at 200\.0× \(fast burn\)$/)

    // The same state again: nothing new is opened or paged.
    expect(await alerts.evaluate(t0 + 20_000)).toMatchObject({ triggered: [], resolved: [], sent: 0 })
    expect(pd.events).toHaveLength(2)

    // Six minutes on, the five-minute window is clean: the fast burn resolves, the slow one (30 min) holds.
    clock = t0 + 6 * MIN
    expect(await alerts.evaluate(clock)).toMatchObject({ triggered: [], resolved: ['checkout_availability:fast_burn'] })
    clock = t0 + 31 * MIN
    expect(await alerts.evaluate(clock)).toMatchObject({ triggered: [], resolved: ['checkout_availability:slow_burn'] })
    expect(pd.log()).toEqual(['trigger checkout_availability:fast_burn', 'trigger checkout_availability:slow_burn', 'resolve checkout_availability:fast_burn', 'resolve checkout_availability:slow_burn'])
    // The alarm (armed once by the worker, then by itself) evaluates at the object's clock; it repeats nothing either.
    await alerts.ensureRunning()
    expect(await alerts.ensureRunning()).toBe(false) // armed already: left as it is
    expect(await runDurableObjectAlarm(alerts)).toBe(true)
    expect(pd.events).toHaveLength(4)
    expect(await runInDurableObject(alerts, (_o: AlertsObject, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now())

    const listed = await alerts.list({ status: 'all', limit: 10 })
    expect(listed.data.map((a) => [a.dedupKey, a.status, a.openedAt, a.resolvedAt])).toEqual([
      ['checkout_availability:slow_burn', 'resolved', new Date(t0).toISOString(), new Date(t0 + 31 * MIN).toISOString()],
      ['checkout_availability:fast_burn', 'resolved', new Date(t0).toISOString(), new Date(t0 + 6 * MIN).toISOString()],
    ])
  })

  it('keeps a send PagerDuty may take later and sends it, in order, at the next evaluation; drops one it refuses for good', async () => {
    await checkouts(clock, 10, 50, 10)
    pd.refuse(new Response('busy', { status: 503 }))
    expect(await alerts.evaluate(clock)).toMatchObject({ triggered: ['checkout_availability:fast_burn', 'checkout_availability:slow_burn'], sent: 0, pendingSends: 2 })
    expect(pd.events).toEqual([])
    expect((await alerts.list({ status: 'open', limit: 10 })).pager).toEqual({ configured: true, pendingSends: 2 })

    // The fault clears before the next evaluation: the triggers go first, then the resolves.
    clock += 31 * MIN
    expect(await alerts.evaluate(clock)).toMatchObject({ resolved: ['checkout_availability:fast_burn', 'checkout_availability:slow_burn'], sent: 4, pendingSends: 0 })
    expect(pd.log()).toEqual(['trigger checkout_availability:fast_burn', 'trigger checkout_availability:slow_burn', 'resolve checkout_availability:fast_burn', 'resolve checkout_availability:slow_burn'])

    // A 400 (a bad key or event) will not get better: dropped, and the next send still goes.
    await checkouts(clock, 10, 50, 10)
    pd.refuse(Response.json({ status: 'invalid event' }, { status: 400 }))
    expect(await alerts.evaluate(clock)).toMatchObject({ sent: 1, pendingSends: 0 })
    expect(pd.log().slice(4)).toEqual(['trigger checkout_availability:slow_burn'])
  })

  it('without PagerDuty, keeps and lists the alerts, pages nothing and says so once', async () => {
    alerts = await driveAlerts(null, () => clock)
    const warn = vi.spyOn(console, 'warn')
    try {
      await checkouts(clock, 10, 50, 10)
      expect(await alerts.evaluate(clock)).toMatchObject({ triggered: ['checkout_availability:fast_burn', 'checkout_availability:slow_burn'], sent: 0, pendingSends: 0 })
      clock += 6 * MIN
      expect(await alerts.evaluate(clock)).toMatchObject({ resolved: ['checkout_availability:fast_burn'], pendingSends: 0 })
      const notPaged = warn.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"msg":"alerts_not_paged"'))
      expect(notPaged).toHaveLength(1)
      expect(JSON.parse(notPaged[0] ?? '{}')).toMatchObject({ level: 'warn', object: 'AlertsObject' })
    } finally {
      warn.mockRestore()
    }
    const listed = await alerts.list({ status: 'all', limit: 10 })
    expect(listed.pager).toEqual({ configured: false, pendingSends: 0 })
    expect(listed.data.map((a) => [a.dedupKey, a.status])).toEqual([
      ['checkout_availability:slow_burn', 'open'],
      ['checkout_availability:fast_burn', 'resolved'],
    ])
  })

  it('opens nothing and resolves nothing when the metrics cannot be read', async () => {
    await checkouts(clock, 10, 50, 10)
    await alerts.evaluate(clock)
    const reader = await runInDurableObject(alerts, (o: AlertsObject) => {
      const real = o.metrics
      o.metrics = () => ({ rollups: () => Promise.reject(new Error('metrics store unreachable')) })
      return real
    })
    try {
      clock += 31 * MIN
      expect(await alerts.evaluate(clock)).toMatchObject({ evaluated: false, triggered: [], resolved: [] })
      expect((await alerts.list({ status: 'open', limit: 10 })).data).toHaveLength(2)
    } finally {
      await runInDurableObject(alerts, (o: AlertsObject) => {
        o.metrics = reader
      })
    }
    // Read again, the clean windows resolve both.
    expect(await alerts.evaluate(clock)).toMatchObject({ evaluated: true, resolved: ['checkout_availability:fast_burn', 'checkout_availability:slow_burn'] })
  })
})

describe('the anomaly detector’s alert', () => {
  it('pages a jump in the checkout decline rate under its own dedup key, and resolves it when declines fall back', async () => {
    const t0 = clock
    const payments = (from: number, minutes: number, total: number, errors: number) =>
      metricsStoreStub(env).add(Array.from({ length: minutes }, (_, i) => rollup(from + i * MIN, 'outcome', 'checkout.payment', total, errors)))
    await payments(t0 - 65 * MIN, 60, 40, 1) // an hour of 2.5% declines
    await payments(t0 - 5 * MIN, 5, 40, 24) // then 60%
    const first = await alerts.evaluate(t0)
    expect(first.triggered).toEqual(['anomaly:checkout_decline_rate'])
    expect(pd.events).toEqual([expect.objectContaining({ event_action: 'trigger', dedup_key: 'anomaly:checkout_decline_rate', payload: expect.objectContaining({ severity: 'error', custom_details: { objective: 'checkout_decline_rate', rule: 'ewma_anomaly' } }) })])
    expect(pd.events[0]?.payload?.summary).toMatch(/^checkout decline rate at 60\.0% over the last 5 min \(200 events; baseline 2\.5% ± 0\.0%\)$/)
    const [listed] = (await alerts.list({ status: 'open', limit: 1 })).data
    expect(listed).toMatchObject({ source: 'anomaly', objective: 'checkout_decline_rate', summary: pd.events[0]?.payload?.summary })

    await payments(t0, 5, 40, 1)
    clock = t0 + 5 * MIN
    expect(await alerts.evaluate(clock)).toMatchObject({ triggered: [], resolved: ['anomaly:checkout_decline_rate'] })
    expect(pd.log()).toEqual(['trigger anomaly:checkout_decline_rate', 'resolve anomaly:checkout_decline_rate'])
  })
})

describe('GET /v1/admin/alerts', () => {
  it('lists alerts newest first to support and admins, by status and page; refuses others and bad input', async () => {
    await checkouts(clock, 10, 50, 10)
    await alerts.evaluate(clock)
    clock += 6 * MIN
    await alerts.evaluate(clock) // the fast burn resolves

    const [support, buyer] = await Promise.all([register('support'), register('buyer')])
    await makeStaff(support.user.id, 'support')
    expect((await call('/v1/admin/alerts')).status).toBe(401)
    expect((await call('/v1/admin/alerts', { token: buyer.token })).status).toBe(403)

    type Page = { data: { dedupKey: string; status: string; source: string }[]; nextCursor: string | null; pager: { configured: boolean; pendingSends: number } }
    const all = await json<Page>(await call('/v1/admin/alerts', { token: support.token }))
    expect(all.data.map((a) => `${a.dedupKey} ${a.status}`)).toEqual(['checkout_availability:slow_burn open', 'checkout_availability:fast_burn resolved'])
    expect(all.pager).toEqual({ configured: true, pendingSends: 0 })
    const open = await json<Page>(await call('/v1/admin/alerts?status=open', { token: support.token }))
    expect(open.data.map((a) => a.dedupKey)).toEqual(['checkout_availability:slow_burn'])
    const resolved = await json<Page>(await call('/v1/admin/alerts?status=resolved', { token: support.token }))
    expect(resolved.data.map((a) => a.dedupKey)).toEqual(['checkout_availability:fast_burn'])

    const first = await json<Page>(await call('/v1/admin/alerts?limit=1', { token: support.token }))
    expect(first.data.map((a) => a.dedupKey)).toEqual(['checkout_availability:slow_burn'])
    expect(first.nextCursor).not.toBeNull()
    const second = await json<Page>(await call(`/v1/admin/alerts?limit=1&cursor=${first.nextCursor ?? ''}`, { token: support.token }))
    expect(second).toMatchObject({ data: [expect.objectContaining({ dedupKey: 'checkout_availability:fast_burn' })], nextCursor: null })

    for (const bad of ['status=closed', 'limit=0', 'limit=101', 'cursor=nonsense', `cursor=${btoa(JSON.stringify({ a: 'x' }))}`]) {
      const res = await call(`/v1/admin/alerts?${bad}`, { token: support.token })
      expect(res.status, bad).toBe(400)
      expect(await json(res), bad).toMatchObject({ code: 'validation_failed' })
    }
  })
})
