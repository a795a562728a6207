import { settingsOf } from '../config'
import { rootLogger } from '../platform/runtime'
import { analyticsEngine, type RollupQuery } from './analytics-engine-client'
import { bucketOf, rollUp, type MetricPoint, type MetricRollup, type MetricsReader, type MetricsSink } from './metrics'
import { metricsStoreStub } from './metrics-store-object'

/**
 * Where metric points go and where they are read back (METRICS_STORE): Workers Analytics Engine
 * in production (the METRICS dataset, read through its SQL API), the LOCAL_METRICS object in
 * development, the tests and the bench. A sink never throws and never waits: a lost point is a
 * smaller harm than a slower or failed request.
 */

/** Flush the local buffer once this long has passed since the last flush... */
const FLUSH_EVERY_MS = 1000
/** ...or once it holds this many points. */
const FLUSH_AT_POINTS = 500

/** This isolate's buffer of local rollups, sent to the store about once a second. */
const local = { rollups: new Map<string, MetricRollup>(), points: 0, lastFlush: 0 }

const ANALYTICS_API_BASE = 'https://api.cloudflare.com'
const DATASET = 'souk_metrics'

const storeOf = (env: Env): 'analytics-engine' | 'local' | null => {
  try {
    return settingsOf(env).metrics.store
  } catch {
    return null // a broken configuration fails the request elsewhere, loudly; metrics stay quiet
  }
}

export function metricsSinkOf(env: Env, waitUntil: (p: Promise<unknown>) => void): MetricsSink {
  const store = storeOf(env)
  if (store === 'analytics-engine') {
    return {
      record(p: MetricPoint): void {
        try {
          env.METRICS.writeDataPoint({ indexes: [p.kind], blobs: [p.kind, p.name], doubles: [p.durationMs, p.error ? 1 : 0, bucketOf(p.durationMs)] })
        } catch {
          // dropped: Analytics Engine refused the point (over its per-invocation limit, or unbound)
        }
      },
    }
  }
  if (store === 'local') {
    return {
      record(p: MetricPoint): void {
        try {
          rollUp([p], local.rollups)
          local.points++
          const now = Date.now()
          if (local.points >= FLUSH_AT_POINTS || now - local.lastFlush >= FLUSH_EVERY_MS) waitUntil(flushLocalMetrics(env))
        } catch {
          // dropped
        }
      },
    }
  }
  return { record: () => undefined }
}

/**
 * Sends this isolate's buffered rollups to the local store now. A failed send is tried once
 * more, then dropped and logged; it never rejects. Readers call it first, so a report includes
 * what this isolate has just measured.
 */
export async function flushLocalMetrics(env: Env): Promise<void> {
  local.lastFlush = Date.now()
  if (local.rollups.size === 0) return
  const batch = [...local.rollups.values()]
  local.rollups = new Map()
  local.points = 0
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await metricsStoreStub(env).add(batch)
      return
    } catch (err) {
      if (attempt === 2) {
        try {
          rootLogger(settingsOf(env).logLevel).warn('metrics_flush_failed', { rollups: batch.length, error: err instanceof Error ? err.message : String(err) })
        } catch {
          // nothing left to tell
        }
      }
    }
  }
}

/** Reads rollups back: by minute, or by `stepMs` (whole minutes) when given. */
export type RollupReader = MetricsReader & { rollups(query: RollupQuery): Promise<MetricRollup[]> }

export function metricsReaderOf(env: Env): RollupReader {
  const { store, analytics } = settingsOf(env).metrics
  if (store === 'local') {
    return {
      async rollups(query: RollupQuery): Promise<MetricRollup[]> {
        await flushLocalMetrics(env)
        return metricsStoreStub(env).rollups(query)
      },
    }
  }
  return analyticsEngine({ apiBase: ANALYTICS_API_BASE, accountId: analytics.accountId, apiToken: analytics.apiToken, dataset: DATASET, fetch: (input, init) => fetch(input, init) })
}
