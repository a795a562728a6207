import { sql } from 'drizzle-orm'
import { ConfigError, settingsOf } from '../config'
import { database } from '../db/client'
import { HEALTH_PROBE } from '../events/event-envelope'
import { newId, systemClock } from '../platform/runtime'
import { pingCounters } from '../rate-limits/rate-limit-store'

export type CheckResult = { status: 'ok' | 'error'; latencyMs: number; detail?: string }
export type HealthReport = { status: 'ok' | 'degraded'; checks: Record<string, CheckResult> }

const CHECK_TIMEOUT_MS = 2000
/** A queue probe is a real message; one a minute per isolate is proof enough. */
const QUEUE_PROBE_TTL_MS = 60_000
let lastQueueProbe: { at: number; result: CheckResult } | undefined

/**
 * Runs every dependency check in parallel, each under a timeout, and reports each one's state.
 * Details name what failed (a missing setting, an unreachable binding) and never a value.
 */
export async function checkHealth(env: Env): Promise<HealthReport> {
  const [config, d1, queue, objects] = await Promise.all([
    timed(() => {
      settingsOf(env)
    }),
    timed(async () => {
      await database(env.DB).run(sql`SELECT 1 FROM users LIMIT 1`)
    }),
    probeQueue(env),
    timed(async () => {
      await pingCounters(env)
    }),
  ])
  const checks = { config, d1, queue, durableObjects: objects }
  const healthy = Object.values(checks).every((c) => c.status === 'ok')
  return { status: healthy ? 'ok' : 'degraded', checks }
}

async function probeQueue(env: Env): Promise<CheckResult> {
  const now = Date.now()
  if (lastQueueProbe && now - lastQueueProbe.at < QUEUE_PROBE_TTL_MS && lastQueueProbe.result.status === 'ok') {
    return lastQueueProbe.result
  }
  const result = await timed(async () => {
    const at = systemClock()
    await env.EVENTS.send({ id: newId('evt', at), type: HEALTH_PROBE, version: 1, aggregateId: 'health', seq: 0, occurredAt: at.toISOString(), data: {} })
  })
  lastQueueProbe = { at: now, result }
  return result
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
