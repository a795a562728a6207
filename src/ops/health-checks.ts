import { consumerNames, subscriptions } from '../events/event-subscriptions'
import { sql } from 'drizzle-orm'
import { ConfigError, settingsOf } from '../config'
import { database } from '../db/client'
import { HEALTH_PROBE } from '../events/event-envelope'
import { newId, systemClock } from '../platform/runtime'
import { breakerStub } from '../payments/payment-gateway-client'
import { pingCounters } from '../rate-limits/rate-limit-store'

export type CheckResult = { status: 'ok' | 'error'; latencyMs: number; detail?: string }
export type HealthReport = { status: 'ok' | 'degraded'; checks: Record<string, CheckResult> }

const CHECK_TIMEOUT_MS = 2000

/** Reported by name: the provider's breaker is open. */
class CircuitOpen extends Error {
  override name = 'CircuitOpen'
}
/** /health is public: a flood of probes is answered from this isolate's last report. */
const REPORT_TTL_MS = 5_000
/** A queue probe is a real message: one a minute per isolate proves enough; a failure is retried sooner. */
const QUEUE_PROBE_TTL_MS = { ok: 60_000, error: 10_000 }

type Cached<T> = { freshUntil: number; value: T }
const reports = new WeakMap<object, Cached<HealthReport>>()
const queueProbes = new WeakMap<object, Cached<CheckResult>>()

/**
 * Runs every dependency check in parallel, each under a timeout, and reports each one's state.
 * Details name what failed (a missing setting, an unreachable binding) and never a value.
 * Settled reports are shared per isolate for a few seconds.
 */
export function checkHealth(env: Env): Promise<HealthReport> {
  return cached(reports, env, REPORT_TTL_MS, () => runChecks(env))
}

async function runChecks(env: Env): Promise<HealthReport> {
  const [config, d1, queue, objects, gatewayBreaker] = await Promise.all([
    timed(() => {
      settingsOf(env)
    }),
    timed(async () => {
      await database(env.DB).run(sql`SELECT 1 FROM users LIMIT 1`)
    }),
    cached(queueProbes, env, (r) => QUEUE_PROBE_TTL_MS[r.status], () => timed(() => probeQueue(env))),
    timed(async () => {
      await pingCounters(env)
    }),
    // An open breaker means checkouts answer 503 payments_unavailable until its cooldown probe succeeds.
    timed(async () => {
      const mode = await breakerStub(env, settingsOf(env).gateway.kind).mode()
      if (mode === 'open') throw new CircuitOpen()
    }),
  ])
  const checks = { config, d1, queue, durableObjects: objects, gatewayBreaker }
  const healthy = Object.values(checks).every((c) => c.status === 'ok')
  return { status: healthy ? 'ok' : 'degraded', checks }
}

/** Every event consumer's queue takes a probe (each consumer acks it unread). */
async function probeQueue(env: Env): Promise<void> {
  const at = systemClock()
  const probe = { id: newId('evt', at), type: HEALTH_PROBE, version: 1, aggregateId: 'health', seq: 0, occurredAt: at.toISOString(), data: {} }
  await Promise.all(consumerNames.map((name) => env[subscriptions[name].binding].send(probe, { contentType: 'json' })))
}

/**
 * The value `make` last gave for this env while it is fresh (`ttl` after it settled); otherwise a
 * new one. Only settled values are shared: a request never awaits another request's checks, since
 * the runtime drops a request's I/O when that request is cancelled, and whoever waited on it would
 * wait for ever. `make` must not reject (every check reports its failure as a value).
 */
async function cached<T>(store: WeakMap<object, Cached<T>>, env: object, ttl: number | ((value: T) => number), make: () => Promise<T>): Promise<T> {
  const hit = store.get(env)
  if (hit && Date.now() < hit.freshUntil) return hit.value
  const value = await make()
  store.set(env, { freshUntil: Date.now() + (typeof ttl === 'number' ? ttl : ttl(value)), value })
  return value
}

async function timed(check: () => Promise<void> | void): Promise<CheckResult> {
  const started = Date.now()
  let timer: ReturnType<typeof setTimeout> | null = null
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([Promise.resolve().then(check), timeout])
    return { status: 'ok', latencyMs: Date.now() - started }
  } catch (err) {
    return { status: 'error', latencyMs: Date.now() - started, detail: describe(err) }
  } finally {
    if (timer !== null) clearTimeout(timer)
  }
}

/** A check's failure, told without values: config names the settings at fault, others the error class. */
function describe(err: unknown): string {
  if (err instanceof ConfigError) return `invalid settings: ${err.problems.map((p) => p.split(':')[0]).join(', ')}`
  if (err instanceof Error) return err.message.startsWith('timed out') ? err.message : err.name
  return 'failed'
}
