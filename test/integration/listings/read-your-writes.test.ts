import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { database } from '../../../src/db/client'
import { projectListing } from '../../../src/listings/listing-read-store'
import { listingStub, type ListingObject } from '../../../src/listings/listing-object'
import type { ListingView } from '../../../src/listings/listing-view'
import { BASE, json, register, type Json } from '../support/api'

/**
 * Read-your-writes (docs/LISTINGS.md): the routes that change a listing write its snapshot to the
 * read model before answering, and answer the D1 session's bookmark in `Souk-Bookmark`; search
 * opens its session from a bookmark it is sent. Local D1 has no read replicas, so what a replica
 * would do cannot be shown here: these tests show that the write is in the read model before any
 * of its events leaves the listing's outbox, that the bookmark goes out and comes back into the
 * D1 session, and that a bad one is refused.
 */

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/
const usd = (amount: number) => ({ amount, currency: 'USD' })

/** Forwards everything to `target` except the properties in `overrides`. */
function passThrough<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop]
      const value: unknown = Reflect.get(t, prop)
      // Reflect.apply, not .bind: on an RPC method `.bind` would be a remote property of its own.
      return typeof value === 'function' ? (...a: unknown[]) => Reflect.apply(value, t, a) as unknown : value
    },
  })
}

/** A queue binding that refuses every message, as a queue that is down would. */
const refusingQueue = { send: () => Promise.reject(new Error('queue down (test)')), sendBatch: () => Promise.reject(new Error('queue down (test)')) }
const isQueue = (v: unknown) => typeof v === 'object' && v !== null && 'sendBatch' in v

/**
 * The listing namespace, except that each object is cut off from every queue before its first
 * command: its events stay in its outbox, so no consumer can have put them in the read model.
 */
const listingsWithoutQueues = passThrough(env.LISTINGS, {
  get: (id: DurableObjectId) => {
    const stub = env.LISTINGS.get(id)
    const cutOff = runInDurableObject(stub, (o: ListingObject) => {
      const self = o as unknown as { env: Env }
      self.env = passThrough(self.env, Object.fromEntries(Object.keys(self.env).filter((k) => isQueue(self.env[k as keyof Env])).map((k) => [k, refusingQueue])))
    })
    return passThrough(stub, {
      create: async (...args: Parameters<typeof stub.create>) => (await cutOff, stub.create(...args)),
      update: async (...args: Parameters<typeof stub.update>) => (await cutOff, stub.update(...args)),
      withdraw: async (...args: Parameters<typeof stub.withdraw>) => (await cutOff, stub.withdraw(...args)),
    })
  },
})

async function fetchWorker(path: string, init: RequestInit & { token?: string; json?: unknown } = {}, overrides: Partial<Env> = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  const ctx = createExecutionContext()
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body
  const res = await worker.fetch(new Request(`${BASE}${path}`, { ...init, headers, body }), { ...env, ...overrides }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

const readRow = (id: string) => env.DB.prepare('SELECT * FROM listings WHERE id = ?').bind(id).first<Json & { last_seq: number; view: string }>()

async function search(query: string, bookmark: string | null) {
  const res = await fetchWorker(`/v1/listings?${query}`, bookmark ? { headers: { 'souk-bookmark': bookmark } } : {})
  expect(res.status, await res.clone().text()).toBe(200)
  return { ids: (await json<{ data: { id: string }[] }>(res)).data.map((l) => l.id), bookmark: res.headers.get('souk-bookmark') }
}

describe('read-your-writes', () => {
  it('puts a seller’s listing, edit and withdrawal in search before their events leave the listing', async () => {
    const seller = await register('ryw-seller')
    const word = `ryw${crypto.randomUUID().slice(0, 8)}`
    const renamed = `wyr${crypto.randomUUID().slice(0, 8)}`
    const created = await fetchWorker(
      '/v1/listings',
      { method: 'POST', token: seller.token, json: { title: `Tin robot ${word}`, category: 'toys', format: 'fixed_price', price: usd(4200) } },
      { LISTINGS: listingsWithoutQueues },
    )
    expect(created.status, await created.clone().text()).toBe(201)
    const listing = await json<ListingView>(created)
    const written = created.headers.get('souk-bookmark')
    expect(written).toMatch(BOOKMARK)
    const stub = listingStub(env, listing.id)

    const found = await search(`q=${word}`, written)
    expect(found.ids).toEqual([listing.id])
    expect(found.bookmark).toMatch(BOOKMARK)
    // Its event never reached a queue: only the route's own write can have put it there.
    expect((await stub.pendingOutbox()).map((e) => e.seq)).toEqual([1])
    expect(await readRow(listing.id)).toMatchObject({ last_seq: 1, title: `Tin robot ${word}`, status: 'active' })
    expect(JSON.parse((await readRow(listing.id))?.view ?? 'null')).toEqual(listing)

    const edited = await fetchWorker(
      `/v1/listings/${listing.id}`,
      { method: 'PATCH', token: seller.token, headers: { 'if-match': '"1"' }, json: { title: `Tin robot ${renamed}` } },
      { LISTINGS: listingsWithoutQueues },
    )
    expect(edited.status, await edited.clone().text()).toBe(200)
    expect(edited.headers.get('souk-bookmark')).toMatch(BOOKMARK)
    expect((await search(`q=${renamed}`, edited.headers.get('souk-bookmark'))).ids).toEqual([listing.id])
    expect((await search(`q=${word}`, edited.headers.get('souk-bookmark'))).ids).toEqual([])

    const withdrawn = await fetchWorker(`/v1/listings/${listing.id}`, { method: 'DELETE', token: seller.token }, { LISTINGS: listingsWithoutQueues })
    expect(withdrawn.status).toBe(204)
    const afterWithdrawal = withdrawn.headers.get('souk-bookmark')
    expect(afterWithdrawal).toMatch(BOOKMARK)
    expect((await search(`q=${renamed}`, afterWithdrawal)).ids).toEqual([])
    expect((await search(`q=${renamed}&status=withdrawn`, afterWithdrawal)).ids).toEqual([listing.id])
    expect((await stub.pendingOutbox()).map((e) => e.seq)).toEqual([1, 2, 3])

    // When the events do arrive, the projection finds each already applied and writes nothing.
    const row = await readRow(listing.id)
    for (const e of await stub.eventsSince(0)) await projectListing(database(env.DB), e.data.listing, e.seq)
    expect(await readRow(listing.id)).toEqual(row)
  })

  it('hands the bookmark a client sends to the D1 session of its search, and a fresh session without one', async () => {
    const bookmark = '00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683'
    const sessions: (string | undefined)[] = []
    const db = passThrough(env.DB, { withSession: (constraint?: string) => (sessions.push(constraint), env.DB.withSession(constraint)) })
    expect((await fetchWorker('/v1/listings?q=anything', { headers: { 'souk-bookmark': bookmark } }, { DB: db })).status).toBe(200)
    expect((await fetchWorker('/v1/listings?q=anything', {}, { DB: db })).status).toBe(200)
    expect(sessions).toEqual([bookmark, 'first-unconstrained'])
  })

  it('refuses a Souk-Bookmark that is not one, without asking D1', async () => {
    let sessions = 0
    const db = passThrough(env.DB, { withSession: (constraint?: string) => (sessions++, env.DB.withSession(constraint)) })
    for (const bad of ['first-primary', 'garbage', `${'0'.repeat(8)}-${'z'.repeat(8)}`, '0'.repeat(300)]) {
      const res = await fetchWorker('/v1/listings', { headers: { 'souk-bookmark': bad } }, { DB: db })
      expect(res.status, bad).toBe(400)
      expect(await json(res)).toMatchObject({ code: 'validation_failed', errors: expect.arrayContaining([expect.objectContaining({ in: 'header', path: 'souk-bookmark' })]) })
    }
    expect(sessions).toBe(0)
  })

  it('still answers a change the listing committed when the read model cannot take it, without a bookmark', async () => {
    const seller = await register('ryw-d1-down')
    const db = passThrough(env.DB, {
      withSession: (constraint?: string) => {
        if (constraint === 'first-primary') throw new Error('D1 unreachable (test)')
        return env.DB.withSession(constraint)
      },
    })
    const res = await fetchWorker('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Kite', category: 'toys', format: 'fixed_price', price: usd(900) } }, { DB: db })
    expect(res.status).toBe(201)
    expect(res.headers.get('souk-bookmark')).toBeNull()
    const { id } = await json<{ id: string }>(res)
    expect(await listingStub(env, id).view()).toMatchObject({ id, title: 'Kite' })
  })

  it('leaves bids to the projection consumer: a bid writes no D1 and answers no bookmark', async () => {
    const seller = await register('ryw-auction')
    const bidder = await register('ryw-bidder')
    const endsAt = new Date(Date.now() + 3_600_000).toISOString()
    const created = await fetchWorker('/v1/listings', { method: 'POST', token: seller.token, json: { title: 'Pocket watch', category: 'watches', format: 'auction', auction: { startingBid: usd(1000), endsAt } } })
    const { id } = await json<{ id: string }>(created)
    let d1Calls = 0
    const db = passThrough(env.DB, {
      withSession: (constraint?: string) => (d1Calls++, env.DB.withSession(constraint)),
      prepare: (sql: string) => (d1Calls++, env.DB.prepare(sql)),
      batch: (list: D1PreparedStatement[]) => (d1Calls++, env.DB.batch(list)),
    })
    const bid = await fetchWorker(`/v1/listings/${id}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: usd(1500) } }, { DB: db })
    expect(bid.status, await bid.clone().text()).toBe(201)
    expect(bid.headers.get('souk-bookmark')).toBeNull()
    expect(d1Calls).toBe(0)
  })
})
