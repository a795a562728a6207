import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import type { StoredEvent } from '../../../src/listings/live-message'
import { toEnvelope } from '../../../src/listings/outbox'
import { call, json } from '../support/api'
import { createAuction, createFixed, usd, userId } from './fixtures'

const readRow = (id: string) =>
  env.DB.prepare('SELECT status, price, last_seq, title, view FROM listings WHERE id = ?').bind(id).first<{ status: string; price: number; last_seq: number; title: string; view: string }>()

async function deliver(listingId: string, events: StoredEvent[], tag: string) {
  const batch = createMessageBatch(
    'souk-events-projection',
    events.map((e, i) => ({ id: `${tag}-${i}`, timestamp: new Date(), attempts: 1, body: toEnvelope(listingId, e) })),
  )
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  return getQueueResult(batch, ctx)
}

describe('listing projection', () => {
  it('applies a redelivered batch once, and never lets an older event overwrite a newer one', async () => {
    const { id, stub } = await createAuction()
    await stub.placeBid({ bidderId: userId(1), maxAmount: usd(3000) })
    await stub.placeBid({ bidderId: userId(2), maxAmount: usd(5000) })
    const events = await stub.eventsSince(0)
    const last = events.at(-1) as StoredEvent

    const first = await deliver(id, events, 'a')
    expect(first.explicitAcks).toHaveLength(events.length)
    const row = await readRow(id)
    expect(row).toMatchObject({ last_seq: last.seq, price: 3100, status: 'active' })

    const again = await deliver(id, events, 'b')
    expect(again.explicitAcks).toHaveLength(events.length)
    expect(await readRow(id)).toEqual(row)

    // The oldest event, arriving last, changes nothing.
    await deliver(id, [events[0] as StoredEvent], 'c')
    expect(await readRow(id)).toEqual(row)
  })

  it('finds listings by words of their title or description, with filters, once projected', async () => {
    const word = `zq${crypto.randomUUID().slice(0, 6)}`
    const { id, stub } = await createFixed(3, false, 12_500)
    await stub.update({ actorId: userId('seller'), expectedVersion: 1, title: `Teapot ${word} glaze`, description: 'speckled celadon' })
    await deliver(id, await stub.eventsSince(0), 'd')
    const search = async (query: string) => (await json<{ data: { id: string }[] }>(await call(`/v1/listings?${query}`))).data.map((l) => l.id)
    expect(await search(`q=${word}`)).toEqual([id])
    expect(await search(`q=${word.slice(0, 5)}`)).toContain(id)
    expect(await search(`q=${word}&minPrice=12000&maxPrice=13000`)).toEqual([id])
    expect(await search(`q=${word}&maxPrice=12000`)).toEqual([])
    expect(await search(`q=${word}&format=auction`)).toEqual([])
    expect(await search(`q=${word}&category=kitchen`)).toEqual([id])
    expect(await search(`q=${word}&status=withdrawn`)).toEqual([])
    // Hostile search text is only words to the FTS engine; text with no words matches nothing.
    const hostile = await call(`/v1/listings?q=${encodeURIComponent(`"${word}" OR NEAR(* -) :title`)}`)
    expect(hostile.status).toBe(200)
    expect(await search('q=%21%21%21')).toEqual([])
  })

  it('asks D1 for search results through a session that any read replica may answer, not at the primary', async () => {
    const word = `zr${crypto.randomUUID().slice(0, 6)}`
    const { id, stub } = await createFixed(1, false, 900)
    await stub.update({ actorId: userId('seller'), expectedVersion: 1, title: `Jug ${word}` })
    await deliver(id, await stub.eventsSince(0), 'e')
    const seen: string[] = []
    const passThrough = <T extends object>(target: T, overrides: Record<string, unknown>): T =>
      new Proxy(target, {
        get(t, prop) {
          if (typeof prop === 'string' && prop in overrides) return overrides[prop]
          const value: unknown = Reflect.get(t, prop)
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value
        },
      })
    const db = passThrough(env.DB, {
      prepare: (sql: string) => (seen.push('primary'), env.DB.prepare(sql)),
      batch: (list: D1PreparedStatement[]) => (seen.push('primary batch'), env.DB.batch(list)),
      withSession: (constraint?: string) => {
        seen.push(`session ${constraint}`)
        const session = env.DB.withSession(constraint)
        return passThrough(session, {
          prepare: (sql: string) => (seen.push('session statement'), session.prepare(sql)),
          batch: (list: D1PreparedStatement[]) => (seen.push('session batch'), session.batch(list)),
        })
      },
    })
    const ctx = createExecutionContext()
    const res = await worker.fetch(new Request(`https://souk.test/v1/listings?q=${word}`), { ...env, DB: db }, ctx)
    await waitOnExecutionContext(ctx)
    expect(res.status).toBe(200)
    expect((await json<{ data: { id: string }[] }>(res)).data.map((l) => l.id)).toEqual([id])
    // A search with words is one batch: how many listings match, and the page read from them.
    expect(seen).toEqual(['session first-unconstrained', 'session statement', 'session statement', 'session batch'])
  })
})
