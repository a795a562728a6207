import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { flushLocalMetrics, metricsReaderOf, metricsSinkOf } from '../../../src/ops/metrics-adapters'
import { histogramSize, rollUp, type MetricPoint } from '../../../src/ops/metrics'
import { metricsStoreStub, RETENTION_MS, type MetricsStoreObject } from '../../../src/ops/metrics-store-object'

const unique = (label: string) => `test.${label}.${crypto.randomUUID().slice(0, 8)}`
const MINUTE = 60_000

describe('the local metrics store', () => {
  it('adds rollups for the same minute together and reads them back by minute and by step', async () => {
    const name = unique('store')
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 // an hour ago, on the hour
    const points: MetricPoint[] = [
      { kind: 'route', name, error: false, durationMs: 3, at: base + 1000 },
      { kind: 'route', name, error: true, durationMs: 250, at: base + 2000 },
      { kind: 'route', name, error: false, durationMs: 70_000, at: base + MINUTE + 5 },
      { kind: 'route', name, error: false, durationMs: 1, at: base + 10 * MINUTE },
    ]
    const store = metricsStoreStub(env)
    // Two isolates' batches for the same minute: they add up.
    expect(await store.add([...rollUp(points.slice(0, 1)).values()])).toBe(1)
    await store.add([...rollUp(points.slice(1)).values()])

    const byMinute = await store.rollups({ from: base, to: base + 60 * MINUTE, names: [name] })
    expect(byMinute.map((r) => [r.minute - base, r.total, r.errors])).toEqual([
      [0, 2, 1],
      [MINUTE, 1, 0],
      [10 * MINUTE, 1, 0],
    ])
    const first = byMinute[0]!
    expect(first.histogram).toHaveLength(histogramSize)
    expect(first.histogram[2]).toBe(1) // 3 ms: ≤ 5
    expect(first.histogram[8]).toBe(1) // 250 ms: ≤ 300
    expect(byMinute[1]!.histogram[histogramSize - 1]).toBe(1) // over 60 s

    const byFive = await store.rollups({ from: base, to: base + 60 * MINUTE, names: [name], stepMs: 5 * MINUTE })
    expect(byFive.map((r) => [r.minute - base, r.total, r.errors])).toEqual([
      [0, 3, 1],
      [10 * MINUTE, 1, 0],
    ])
    // The window's end is exclusive; other names and kinds stay out.
    expect(await store.rollups({ from: base, to: base + MINUTE, names: [name] })).toHaveLength(1)
    expect(await store.rollups({ from: base, to: base + 60 * MINUTE, names: [name], kinds: ['consumer'] })).toEqual([])
    expect(await store.rollups({ from: base, to: base + 60 * MINUTE, names: [] })).toEqual([])
  })

  it('arms its retention alarm on the first write, and the alarm drops rows older than 35 days', async () => {
    const name = unique('retention')
    const store = metricsStoreStub(env)
    const now = Date.now()
    const old = now - RETENTION_MS - 10 * MINUTE
    await store.add([...rollUp([{ kind: 'outcome', name, error: false, durationMs: 5, at: old }, { kind: 'outcome', name, error: false, durationMs: 5, at: now - MINUTE }]).values()])
    const alarm = await runInDurableObject(store, (_o: MetricsStoreObject, state) => state.storage.getAlarm())
    expect(alarm).not.toBeNull()
    expect(await runDurableObjectAlarm(store)).toBe(true)
    const left = await store.rollups({ from: old - MINUTE, to: now + MINUTE, names: [name] })
    expect(left.map((r) => r.total)).toEqual([1])
    expect(left[0]!.minute).toBeGreaterThan(now - 2 * MINUTE)
    expect(await runInDurableObject(store, (_o: MetricsStoreObject, state) => state.storage.getAlarm())).not.toBeNull() // re-armed
  })
})

describe('the local sink and reader (METRICS_STORE = "local")', () => {
  it('buffers points in the isolate, flushes them in the background, and the reader sees them', async () => {
    const name = unique('sink')
    const pending: Array<Promise<unknown>> = []
    const sink = metricsSinkOf(env, (p) => pending.push(p))
    const at = Date.now()
    await flushLocalMetrics(env) // a clean start: the last flush is now
    for (let i = 0; i < 10; i++) sink.record({ kind: 'object', name, error: i % 5 === 0, durationMs: i * 10, at })
    // Within the second since the last flush and under 500 points: no store call per point.
    expect(pending).toHaveLength(0)
    const got = await metricsReaderOf(env).rollups({ from: at - MINUTE, to: at + MINUTE, names: [name] })
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({ kind: 'object', name, total: 10, errors: 2 })
    expect(got[0]!.histogram.reduce((a, b) => a + b, 0)).toBe(10)
  })

  it('flushes by itself at 500 points', async () => {
    const name = unique('burst')
    const pending: Array<Promise<unknown>> = []
    const sink = metricsSinkOf(env, (p) => pending.push(p))
    const at = Date.now()
    await flushLocalMetrics(env)
    for (let i = 0; i < 500; i++) sink.record({ kind: 'route', name, error: false, durationMs: 2, at })
    expect(pending.length).toBeGreaterThanOrEqual(1)
    await Promise.all(pending)
    const got = await metricsStoreStub(env).rollups({ from: at - MINUTE, to: at + MINUTE, names: [name] })
    expect(got.map((r) => r.total)).toEqual([500])
  })

  it('never throws to the caller, even when the configuration is broken', () => {
    const sink = metricsSinkOf({ ...env, ENVIRONMENT: 'nonsense' }, () => {
      throw new Error('must not be called')
    })
    expect(() => sink.record({ kind: 'route', name: 'x', error: false, durationMs: 1, at: Date.now() })).not.toThrow()
  })
})
