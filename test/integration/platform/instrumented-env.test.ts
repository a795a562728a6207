import { env } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { database } from '../../../src/db/client'
import { webhookReceipts } from '../../../src/db/schema'
import { HEALTH_PROBE } from '../../../src/events/event-envelope'
import { instrumentEnv, type BindingCall, type BindingProbe } from '../../../src/platform/instrumented-env'

/** The calls `instrumentEnv` reports, with the env it made. */
function recorded(hooks: BindingProbe = {}) {
  const calls: BindingCall[] = []
  const observed = instrumentEnv(env, {
    before: async (call) => {
      calls.push(call)
      await hooks.before?.(call)
    },
    after: hooks.after,
  })
  return { observed, calls }
}

const provider = () => `probe-${crypto.randomUUID()}`
const receipts = async (p: string) => (await env.DB.prepare('SELECT count(*) AS n FROM webhook_receipts WHERE provider = ?').bind(p).first<{ n: number }>())?.n

describe('instrumentEnv', () => {
  it('wraps D1, Durable Object namespaces and queues found by shape, and passes everything else through', () => {
    const { observed } = recorded()
    for (const name of ['DB', 'LISTINGS', 'RATE_LIMITER', 'SANDBOX_GATEWAY', 'EVENTS_LIVE', 'JOBS'] as const) expect(observed[name], name).not.toBe(env[name])
    expect(observed.ASSETS).toBe(env.ASSETS)
    expect(observed.ENVIRONMENT).toBe(env.ENVIRONMENT)
    expect(observed.RATE_LIMITS).toBe(env.RATE_LIMITS)
    expect(observed.DB, 'one wrapper per binding for the whole request').toBe(observed.DB)
  })

  it('counts a prepared statement’s first() as one statement that does not write, and returns its row', async () => {
    const { observed, calls } = recorded()
    const row = await observed.DB.prepare('SELECT 41 + ? AS n').bind(1).first<{ n: number }>()
    expect(row).toEqual({ n: 42 })
    expect(calls).toEqual([{ binding: 'DB', kind: 'd1', op: 'statement', write: false }])
  })

  it('counts a batch of three as one batch holding three statements, writing when one inserts', async () => {
    const { observed, calls } = recorded()
    const p = provider()
    const insert = observed.DB.prepare('INSERT INTO webhook_receipts (provider, event_id, received_at) VALUES (?, ?, ?)')
    const results = await observed.DB.batch([insert.bind(p, 'evt_1', 'now'), insert.bind(p, 'evt_2', 'now'), observed.DB.prepare('SELECT count(*) AS n FROM webhook_receipts WHERE provider = ?').bind(p)])
    expect(results[2]?.results).toEqual([{ n: 2 }])
    expect(calls).toEqual([{ binding: 'DB', kind: 'd1', op: 'batch', statements: 3, write: true }])
    expect(await receipts(p)).toBe(2)
  })

  it('counts a batch of reads as not writing', async () => {
    const { observed, calls } = recorded()
    await observed.DB.batch([observed.DB.prepare('SELECT 1'), observed.DB.prepare('SELECT 2')])
    expect(calls).toEqual([{ binding: 'DB', kind: 'd1', op: 'batch', statements: 2, write: false }])
  })

  it('carries drizzle: a select and an insert through the wrapper work and count, each once', async () => {
    const { observed, calls } = recorded()
    const db = database(observed.DB)
    const p = provider()
    await db.insert(webhookReceipts).values({ provider: p, eventId: 'evt_d', receivedAt: 'now' })
    const rows = await db.select().from(webhookReceipts).where(and(eq(webhookReceipts.provider, p), eq(webhookReceipts.eventId, 'evt_d')))
    expect(rows).toEqual([{ provider: p, eventId: 'evt_d', receivedAt: 'now' }])
    await db.batch([db.select().from(webhookReceipts).where(eq(webhookReceipts.provider, p)), db.delete(webhookReceipts).where(eq(webhookReceipts.provider, p))])
    expect(calls).toEqual([
      { binding: 'DB', kind: 'd1', op: 'statement', write: true },
      { binding: 'DB', kind: 'd1', op: 'statement', write: false },
      { binding: 'DB', kind: 'd1', op: 'batch', statements: 2, write: true },
    ])
    expect(await receipts(p)).toBe(0)
  })

  it('counts an RPC call on a Durable Object stub as one call named for its method, and returns the real answer', async () => {
    const { observed, calls } = recorded()
    const stub = observed.RATE_LIMITER.get(observed.RATE_LIMITER.idFromName(`probe:${crypto.randomUUID()}`))
    expect(await stub.ping()).toBe('pong')
    const byName = observed.RATE_LIMITER.getByName(`probe:${crypto.randomUUID()}`)
    expect(await byName.ping()).toBe('pong')
    expect(calls).toEqual([
      { binding: 'RATE_LIMITER', kind: 'object', op: 'ping' },
      { binding: 'RATE_LIMITER', kind: 'object', op: 'ping' },
    ])
  })

  it('keeps a stub from looking like a promise, and keeps its id', async () => {
    const { observed, calls } = recorded()
    const id = observed.RATE_LIMITER.idFromName('probe:thenable')
    const stub = observed.RATE_LIMITER.get(id)
    expect((stub as unknown as { then?: unknown }).then).toBeUndefined()
    // Awaiting the stub itself must give the stub back, not call a remote `then`.
    expect(await Promise.resolve(stub)).toBe(stub)
    expect(stub.id.equals(id)).toBe(true)
    expect(calls).toEqual([])
  })

  it('counts queue send and sendBatch, one each', async () => {
    const { observed, calls } = recorded()
    const at = new Date()
    const probe = (n: number) => ({ id: `evt_probe_${n}_${crypto.randomUUID()}`, type: HEALTH_PROBE, version: 1, aggregateId: 'health', seq: 0, occurredAt: at.toISOString(), data: {} })
    await observed.EVENTS_LIVE.send(probe(1))
    await observed.EVENTS_LIVE.sendBatch([{ body: probe(2) }, { body: probe(3) }])
    expect(calls).toEqual([
      { binding: 'EVENTS_LIVE', kind: 'queue', op: 'send' },
      { binding: 'EVENTS_LIVE', kind: 'queue', op: 'sendBatch' },
    ])
  })

  it('does not make the call when `before` throws: the insert never happens', async () => {
    const p = provider()
    const { observed } = recorded({
      before: () => {
        throw new Error('injected before')
      },
    })
    await expect(observed.DB.prepare('INSERT INTO webhook_receipts (provider, event_id, received_at) VALUES (?, ?, ?)').bind(p, 'evt_b', 'now').run()).rejects.toThrow('injected before')
    expect(await receipts(p)).toBe(0)
  })

  it('makes the call before `after` throws: the row is there, the caller gets the error', async () => {
    const p = provider()
    const { observed } = recorded({
      after: (call) => {
        if (call.write) throw new Error('answer lost')
      },
    })
    await expect(observed.DB.prepare('INSERT INTO webhook_receipts (provider, event_id, received_at) VALUES (?, ?, ?)').bind(p, 'evt_a', 'now').run()).rejects.toThrow('answer lost')
    expect(await receipts(p)).toBe(1)
  })

  it('lets a failing call fail as it would have, after `before`, without `after`', async () => {
    const afters: BindingCall[] = []
    const { observed, calls } = recorded({ after: (call) => void afters.push(call) })
    await expect(observed.DB.prepare('SELECT * FROM no_such_table').all()).rejects.toThrow(/no such table/)
    expect(calls).toHaveLength(1)
    expect(afters).toEqual([])
  })
})
