import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { rootLogger } from '../../../src/platform/runtime'
import { database } from '../../../src/db/client'
import worker from '../../../src/index'
import { projectListing } from '../../../src/listings/listing-read-store'
import { listingStub } from '../../../src/listings/listing-object'
import { rebuildPorts, runRebuildStep, type ReadModelRebuildJob, type RebuildPorts } from '../../../src/listings/read-model-rebuild-job'
import { claimStep, rebuildById, startRebuild } from '../../../src/listings/read-model-rebuild-store'
import { BASE, call, json, makeStaff, register, type Json } from '../support/api'
import { newListingId } from './fixtures'
import { eventually } from '../checkout/checkout-fixtures'

/**
 * Rebuilding the read model from the listing objects (docs/OPERATIONS.md "The read model"). The
 * tests share this file's D1, and run in order: each leaves no rebuild running behind it.
 */

const usd = (amount: number) => ({ amount, currency: 'USD' as const })
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString()
const log = rootLogger('warn', { test: 'read-model-rebuild' })
type RebuildJson = { id: string; status: string; fromScratch: boolean; phase: string; cleared: number; total: number; processed: number; missing: number; finishedAt: string | null }

async function staff(role: 'admin' | 'support', label: string = role) {
  const who = await register(label)
  await makeStaff(who.user.id, role)
  return who
}

async function list(token: string, body: Json): Promise<string> {
  const res = await call('/v1/listings', { method: 'POST', token, json: body })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await json<{ id: string }>(res)).id
}

const auction = (title: string) => ({ title, description: 'Running', category: 'watches', format: 'auction', auction: { startingBid: usd(1000), endsAt: inAnHour() } })
const fixed = (title: string, description = 'Kept') => ({ title, description, category: 'kitchen', format: 'fixed_price', price: usd(2500), quantity: 3, acceptsOffers: true })

/** Every column of the read model (views compared as JSON values: key order is not content). */
async function readModel(): Promise<Json[]> {
  const { results } = await env.DB.prepare('SELECT * FROM listings ORDER BY id').all<Json & { view: string }>()
  return results.map((r) => ({ ...r, view: JSON.parse(r.view) as unknown }))
}

/** The offers read model, less `last_seq` (a rebuild stamps each offer with its listing's last seq). */
async function offersModel(): Promise<Json[]> {
  const { results } = await env.DB.prepare('SELECT id, listing_id, buyer_id, seller_id, status, view FROM offers ORDER BY id').all<Json & { view: string }>()
  return results.map((r) => ({ ...r, view: JSON.parse(r.view) as unknown }))
}

const rowOf = (id: string) => env.DB.prepare('SELECT last_seq, view FROM listings WHERE id = ?').bind(id).first<{ last_seq: number; view: string }>()

/** Until the read model holds each listing's last event (the projection consumer has caught up). */
async function caughtUp(ids: string[]): Promise<void> {
  for (const id of ids) {
    const last = await listingStub(env, id).snapshot()
    await eventually(() => rowOf(id), (row) => row?.last_seq === last?.seq)
  }
}

async function wipeReadModel(): Promise<void> {
  await env.DB.batch([env.DB.prepare('DELETE FROM listings'), env.DB.prepare("INSERT INTO listings_fts (listings_fts) VALUES ('delete-all')"), env.DB.prepare('DELETE FROM offers')])
}

async function search(query: string): Promise<string[]> {
  const res = await call(`/v1/listings?${query}`)
  expect(res.status).toBe(200)
  return (await json<{ data: { id: string }[] }>(res)).data.map((l) => l.id)
}

async function startOverHttp(token: string, body?: Json): Promise<RebuildJson> {
  const res = await call('/v1/admin/read-model/rebuild', { method: 'POST', token, ...(body === undefined ? {} : { json: body }) })
  expect(res.status, await res.clone().text()).toBe(202)
  const started = await json<RebuildJson>(res)
  expect(res.headers.get('location')).toBe(`/v1/admin/read-model/rebuilds/${started.id}`)
  return started
}

async function finished(token: string, id: string): Promise<RebuildJson> {
  return eventually(
    async () => json<RebuildJson>(await call(`/v1/admin/read-model/rebuilds/${id}`, { token })),
    (r) => r.status !== 'running',
  )
}

/** The rebuild's ports, with the steps it queues kept here instead of sent. */
function testPorts(over: Partial<RebuildPorts> = {}): RebuildPorts & { queued: ReadModelRebuildJob[] } {
  const queued: ReadModelRebuildJob[] = []
  return { ...rebuildPorts(env, log), queueStep: (job) => (queued.push(job), Promise.resolve()), ...over, queued }
}

const step = (rebuildId: string, n: number): ReadModelRebuildJob => ({ kind: 'read_model_rebuild', rebuildId, step: n })

describe('rebuilding the read model', () => {
  it('puts back a wiped read model (listings and offers) column for column, and search answers as before', async () => {
    const admin = await staff('admin')
    const seller = await register('rebuild-seller')
    const bidder = await register('rebuild-bidder')
    const word = `rb${crypto.randomUUID().slice(0, 8)}`
    const watch = await list(seller.token, auction(`Pocket watch ${word}`))
    const jug = await list(seller.token, fixed(`Jug ${word}`, 'Speckled celadon glaze'))
    const pan = await list(seller.token, fixed(`Pan ${word}`))
    expect((await call(`/v1/listings/${watch}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: usd(1800) } })).status).toBe(201)
    expect((await call(`/v1/listings/${jug}`, { method: 'PATCH', token: seller.token, headers: { 'if-match': '"1"' }, json: { price: usd(2200) } })).status).toBe(200)
    const offer = await json<{ id: string }>(await call(`/v1/listings/${jug}/offers`, { method: 'POST', token: bidder.token, json: { amount: usd(1500) } }))
    expect((await call(`/v1/offers/${offer.id}/counter`, { method: 'POST', token: seller.token, json: { amount: usd(2000) } })).status).toBe(201)
    expect((await call(`/v1/listings/${pan}`, { method: 'DELETE', token: seller.token })).status).toBe(204)
    await caughtUp([watch, jug, pan])
    const offersBefore = await eventually(offersModel, (rows) => rows.filter((r) => r.listing_id === jug).length === 2)

    const before = await readModel()
    const queries = [`q=${word}`, `q=celadon`, `q=${word}&status=withdrawn`, `q=${word}&format=auction&minPrice=1000&maxPrice=1000`, `sellerId=${seller.user.id}`]
    const searchedBefore = await Promise.all(queries.map(search))
    expect(searchedBefore[0]).toEqual([jug, watch])
    expect(searchedBefore[2]).toEqual([pan])
    expect(searchedBefore[3]).toEqual([watch])

    await wipeReadModel()
    expect(await readModel()).toEqual([])
    expect(await offersModel()).toEqual([])
    expect(await search(`q=${word}`)).toEqual([])

    const started = await startOverHttp(admin.token)
    expect(started).toMatchObject({ status: 'running', total: before.length, processed: 0, missing: 0, finishedAt: null })
    expect(await finished(admin.token, started.id)).toMatchObject({ status: 'done', processed: before.length, missing: 0 })

    expect(await readModel()).toEqual(before)
    expect(await offersModel()).toEqual(offersBefore)
    expect(await Promise.all(queries.map(search))).toEqual(searchedBefore)
  })

  it('never puts back an older seq than a live event that landed while its chunk was in flight', async () => {
    const seller = await register('race-seller')
    const bidder = await register('race-bidder')
    const id = await list(seller.token, auction('Brass lamp'))
    await caughtUp([id])
    const stub = listingStub(env, id)
    const { started } = (await startRebuild(database(env.DB), { id: `job_${'0'.repeat(25)}1`, requestedBy: 'usr_test', chunkSize: 100, now: new Date() })) as { started: { id: string } }

    let taken: number | undefined
    const ports = testPorts({
      // Between the snapshot and its upsert, a bid commits and the projection applies it.
      snapshotOf: async (listingId) => {
        const snapshot = await stub.snapshot()
        if (listingId === id) {
          taken = snapshot?.seq
          const bid = await stub.placeBid({ bidderId: bidder.user.id, maxAmount: usd(2500) })
          expect(bid.ok).toBe(true)
          const [event] = await stub.eventsSince(taken ?? 0)
          if (event) await projectListing(database(env.DB), event.data.listing, event.seq)
        }
        return snapshot
      },
    })
    for (let n = 0; (await rebuildById(database(env.DB), started.id))?.status === 'running'; n++) expect(await runRebuildStep(ports, step(started.id, n))).toBe('done')

    const newest = await stub.snapshot()
    expect(taken).toBeDefined()
    expect(newest?.seq).toBeGreaterThan(taken ?? Infinity)
    const row = await rowOf(id)
    expect(row?.last_seq).toBe(newest?.seq)
    expect(JSON.parse(row?.view ?? 'null')).toEqual(newest?.listing)
  })

  it('ends with every listing at its newest seq when bids pour in during a rebuild', async () => {
    const admin = await staff('admin', 'admin-race')
    const seller = await register('pour-seller')
    const bidders = await Promise.all([register('pour-a'), register('pour-b')])
    const ids = await Promise.all(['Clock', 'Compass', 'Sextant'].map((t) => list(seller.token, auction(t))))
    await caughtUp(ids)

    const bidding = Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < 6; i++) {
          const bidder = bidders[i % 2] as (typeof bidders)[number]
          const res = await call(`/v1/listings/${id}/bids`, { method: 'POST', token: bidder.token, json: { maxAmount: usd(2000 + i * 500) } })
          expect(res.status, await res.clone().text()).toBe(201)
        }
      }),
    )
    const started = await startOverHttp(admin.token)
    await bidding
    expect(await finished(admin.token, started.id)).toMatchObject({ status: 'done' })
    await caughtUp(ids)
    for (const id of ids) {
      const newest = await listingStub(env, id).snapshot()
      expect(newest?.seq).toBe(7) // created, then six bids
      expect(JSON.parse((await rowOf(id))?.view ?? 'null')).toEqual(newest?.listing)
    }
  })

  it('walks the registry in chunks; a duplicate or early step does nothing, and an id without a listing counts as missing', async () => {
    const seller = await register('chunk-seller')
    const ids = await Promise.all(['A', 'B', 'C'].map((t) => list(seller.token, fixed(`Chunk ${t}`))))
    await caughtUp(ids)
    const ghost = newListingId() // registered, but its creation never ran
    await env.DB.prepare('INSERT INTO listing_registry (id, registered_at) VALUES (?, ?)').bind(ghost, new Date().toISOString()).run()
    const before = await readModel()
    const registered = (await env.DB.prepare('SELECT count(*) AS n FROM listing_registry').first<{ n: number }>())?.n ?? 0
    expect(registered).toBe(before.length + 1)
    await wipeReadModel()

    const db = database(env.DB)
    const { started } = (await startRebuild(db, { id: `job_${'0'.repeat(25)}2`, requestedBy: 'usr_test', chunkSize: 2, now: new Date() })) as { started: { id: string } }
    const ports = testPorts()
    expect(await runRebuildStep(ports, step(started.id, 1))).toBe('later') // step 0 has not recorded itself
    expect(await runRebuildStep(ports, step(started.id, 0))).toBe('done')
    expect(ports.queued).toEqual([step(started.id, 1)])
    expect(await runRebuildStep(ports, step(started.id, 0))).toBe('done') // a redelivery: already ran
    expect(ports.queued).toHaveLength(1)
    expect(await claimStep(db, started.id, 1, new Date())).toBeDefined() // another delivery holds step 1
    expect(await runRebuildStep(ports, step(started.id, 1))).toBe('later')
    await env.DB.prepare('UPDATE read_model_rebuilds SET lease_until = NULL WHERE id = ?').bind(started.id).run()
    for (let n = 1; (await rebuildById(db, started.id))?.status === 'running'; n++) expect(await runRebuildStep(ports, step(started.id, n))).toBe('done')

    const steps = Math.ceil(registered / 2)
    expect(ports.queued.map((j) => j.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1))
    expect(await rebuildById(db, started.id)).toMatchObject({ status: 'done', processed: registered - 1, missing: 1, step: steps, total: registered })
    expect(await readModel()).toEqual(before)
  })

  it('from scratch, drops read-model rows no listing object stands behind and rewrites every real one; by default it leaves them', async () => {
    const admin = await staff('admin', 'admin-scratch')
    const seller = await register('scratch-seller')
    const buyer = await register('scratch-buyer')
    const word = `fs${crypto.randomUUID().slice(0, 8)}`
    const vase = await list(seller.token, fixed(`Vase ${word}`))
    const bowl = await list(seller.token, fixed(`Bowl ${word}`))
    const offer = await json<{ id: string }>(await call(`/v1/listings/${vase}/offers`, { method: 'POST', token: buyer.token, json: { amount: usd(2000) } }))
    await caughtUp([vase, bowl])
    await eventually(offersModel, (rows) => rows.some((r) => r.id === offer.id))
    const before = await readModel()
    const offersBefore = await offersModel()

    // An orphan (a listing and an offer whose object holds nothing: a restore from another
    // database, a hand-made row), and a real row stamped with a seq its object never reached.
    const orphan = newListingId()
    const at = new Date().toISOString()
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO listings (id, seller_id, title, description, category, format, status, currency, price, ends_at, last_seq, view, created_at, updated_at) VALUES (?, ?, ?, 'Nobody made it', 'kitchen', 'fixed_price', 'active', 'USD', 100, NULL, 1, ?, ?, ?)",
      ).bind(orphan, seller.user.id, `Orphan ${word}`, JSON.stringify({ ...(before.find((r) => r.id === vase)?.view as object), id: orphan, title: `Orphan ${word}` }), at, at),
      env.DB.prepare("INSERT INTO offers (id, listing_id, buyer_id, seller_id, status, last_seq, view) VALUES (?, ?, ?, ?, 'pending', 1, '{}')").bind(`off_orphan${word}`, orphan, buyer.user.id, seller.user.id),
      env.DB.prepare("UPDATE listings SET title = ?, last_seq = 99 WHERE id = ?").bind(`Stale ${word}`, bowl),
    ])
    const registry = async () => (await env.DB.prepare('SELECT id, registered_at FROM listing_registry ORDER BY id').all()).results
    const registryBefore = await registry()
    expect(registryBefore.map((r) => r.id)).toContain(orphan) // the trigger registers any first insert
    expect(new Set(await search(`q=${word}`))).toEqual(new Set([vase, bowl, orphan]))

    // Today's rebuild upserts under the seq guard and deletes nothing: both stay as they are.
    const plain = await startOverHttp(admin.token, {})
    expect(plain).toMatchObject({ fromScratch: false, phase: 'walking', cleared: 0 })
    expect(await finished(admin.token, plain.id)).toMatchObject({ status: 'done', fromScratch: false, phase: 'walking', cleared: 0 })
    expect((await readModel()).map((r) => r.id)).toContain(orphan)
    expect((await offersModel()).map((r) => r.id)).toContain(`off_orphan${word}`)
    expect(await rowOf(bowl)).toMatchObject({ last_seq: 99 })
    expect(new Set(await search(`q=${word}`))).toEqual(new Set([vase, bowl, orphan]))

    const scratch = await startOverHttp(admin.token, { fromScratch: true })
    expect(scratch).toMatchObject({ status: 'running', fromScratch: true, phase: 'clearing_listings', cleared: 0, processed: 0 })
    const done = await finished(admin.token, scratch.id)
    // Registered ids without a listing: the orphan, and any an earlier test registered by hand.
    const absent = registryBefore.filter((r) => !before.some((b) => b.id === r.id)).length
    expect(absent).toBeGreaterThanOrEqual(1)
    expect(done).toMatchObject({ status: 'done', fromScratch: true, phase: 'walking', missing: absent, processed: before.length })
    expect(done.cleared).toBe(before.length + 1 + offersBefore.length + 1)

    expect(await readModel()).toEqual(before)
    expect(await offersModel()).toEqual(offersBefore)
    expect(await registry()).toEqual(registryBefore)
    expect(new Set(await search(`q=${word}`))).toEqual(new Set([vase, bowl]))
    const fts = await env.DB.prepare('SELECT count(*) AS n FROM listings_fts WHERE listings_fts MATCH ?').bind(`"Orphan" AND "${word}"`).first<{ n: number }>()
    expect(fts?.n).toBe(0)

    const audited = await json<{ data: { action: string; subjectId: string; details: Json }[] }>(await call(`/v1/admin/audit?actorId=${admin.user.id}&limit=10`, { token: admin.token }))
    expect(audited.data.filter((e) => e.action === 'read_model.rebuild_started').map((e) => [e.subjectId, e.details.fromScratch])).toEqual([
      [scratch.id, true],
      [plain.id, false],
    ])
  })

  it('from scratch, clears listings and then offers a chunk per step before the walk starts', async () => {
    const seller = await register('clear-seller')
    const buyer = await register('clear-buyer')
    const ids = await Promise.all(['D', 'E', 'F'].map((t) => list(seller.token, fixed(`Clear ${t}`))))
    await call(`/v1/listings/${ids[0]}/offers`, { method: 'POST', token: buyer.token, json: { amount: usd(2000) } })
    await caughtUp(ids)
    const before = await readModel()
    const offersBefore = await eventually(offersModel, (rows) => rows.some((r) => r.listing_id === ids[0]))

    const db = database(env.DB)
    const { started } = (await startRebuild(db, { id: `job_${'0'.repeat(25)}3`, requestedBy: 'usr_test', chunkSize: 2, now: new Date(), fromScratch: true })) as { started: { id: string } }
    let snapshots = 0
    const ports = testPorts({ snapshotOf: (id) => (snapshots++, listingStub(env, id).snapshot()) })
    const phases: string[] = []
    for (let n = 0; ; n++) {
      const row = await rebuildById(db, started.id)
      if (row?.status !== 'running') break
      phases.push(row.phase)
      const rows = { listings: await readModel(), offers: await offersModel() }
      if (row.phase === 'clearing_offers') expect(rows.listings).toEqual([]) // the listings went first
      if (row.phase === 'walking' && snapshots === 0) expect(rows).toEqual({ listings: [], offers: [] }) // the walk starts on an empty read model
      if (row.phase !== 'walking') expect(snapshots).toBe(0)
      expect(await runRebuildStep(ports, step(started.id, n))).toBe('done')
    }
    // A chunk of 2 per step; a short (or empty) chunk ends each phase, and the walk's last step finds nothing.
    const registered = (await env.DB.prepare('SELECT count(*) AS n FROM listing_registry').first<{ n: number }>())?.n ?? 0
    const steps = (rows: number) => Math.floor(rows / 2) + 1
    expect(phases).toEqual([
      ...Array<string>(steps(before.length)).fill('clearing_listings'),
      ...Array<string>(steps(offersBefore.length)).fill('clearing_offers'),
      ...Array<string>(Math.ceil(registered / 2) + 1).fill('walking'),
    ])
    expect(await rebuildById(db, started.id)).toMatchObject({ status: 'done', phase: 'walking', cleared: before.length + offersBefore.length })
    expect(await readModel()).toEqual(before)
    expect(await offersModel()).toEqual(offersBefore)
  })
})

describe('the rebuild routes', () => {
  /** The app with its own JOBS binding, so a started rebuild can be kept from running. */
  async function startWith(token: string, jobs: { send: (body: unknown) => Promise<unknown> }): Promise<Response> {
    const ctx = createExecutionContext()
    const res = await worker.fetch(new Request(`${BASE}/v1/admin/read-model/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), { ...env, JOBS: jobs as unknown as Queue }, ctx)
    await waitOnExecutionContext(ctx)
    return res
  }

  it('are for admins: anonymous 401, users and support 403, and an unknown or malformed id 404/400', async () => {
    const user = await register('not-staff')
    const support = await staff('support')
    const admin = await staff('admin', 'admin-auth')
    const progress = `/v1/admin/read-model/rebuilds/job_${'0'.repeat(26)}`
    expect(await json(await call('/v1/admin/read-model/rebuild', { method: 'POST' }))).toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(await json(await call(progress))).toMatchObject({ status: 401, code: 'unauthenticated' })
    for (const who of [user, support]) {
      expect(await json(await call('/v1/admin/read-model/rebuild', { method: 'POST', token: who.token }))).toMatchObject({ status: 403, code: 'forbidden' })
      expect(await json(await call(progress, { token: who.token }))).toMatchObject({ status: 403, code: 'forbidden' })
    }
    expect(await json(await call(progress, { token: admin.token }))).toMatchObject({ status: 404, code: 'not_found' })
    expect(await json(await call('/v1/admin/read-model/rebuilds/nope', { token: admin.token }))).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(await rebuildsRunning()).toBe(0)
  })

  it('refuses a body it cannot read with 400 (or 415 when it is not JSON), and starts nothing', async () => {
    const admin = await staff('admin', 'admin-400')
    const countAll = async () => (await env.DB.prepare('SELECT count(*) AS n FROM read_model_rebuilds').first<{ n: number }>())?.n ?? 0
    const rebuildsBefore = await countAll()
    for (const body of [{ fromScratch: 'yes' }, { fromScratch: 1 }, { fromScratch: null }, { fromScratch: true, chunkSize: 5 }, [true], 'true']) {
      const res = await call('/v1/admin/read-model/rebuild', { method: 'POST', token: admin.token, json: body })
      expect(await json(res), JSON.stringify(body)).toMatchObject({ status: 400, code: 'validation_failed' })
    }
    const text = await call('/v1/admin/read-model/rebuild', { method: 'POST', token: admin.token, headers: { 'content-type': 'text/plain' }, body: 'fromScratch' })
    expect(text.status).toBe(415)
    expect(await countAll()).toBe(rebuildsBefore)
  })

  it('refuses a second rebuild while one runs, naming it; a stalled one gives way; a refused queue frees the slot', async () => {
    const admin = await staff('admin', 'admin-409')
    const sent: unknown[] = []
    const swallowing = { send: (body: unknown) => (sent.push(body), Promise.resolve()) }
    const first = await startWith(admin.token, swallowing)
    expect(first.status).toBe(202)
    const running = await json<RebuildJson>(first)
    expect(sent).toEqual([step(running.id, 0)])

    const second = await startWith(admin.token, swallowing)
    expect(second.status).toBe(409)
    expect(second.headers.get('location')).toBe(`/v1/admin/read-model/rebuilds/${running.id}`)
    expect(await json(second)).toMatchObject({ code: 'rebuild_running', rebuildId: running.id })
    expect(sent).toHaveLength(1)

    // Its chain ended in the dead-letter queue half an hour ago: the next start takes its place.
    await env.DB.prepare('UPDATE read_model_rebuilds SET updated_at = ? WHERE id = ?').bind(new Date(Date.now() - 31 * 60_000).toISOString(), running.id).run()
    const refusing = { send: () => Promise.reject(new Error('queue down (test)')) }
    const refused = await startWith(admin.token, refusing)
    expect(refused.status).toBe(503)
    expect(await json(refused)).toMatchObject({ code: 'service_unavailable' })
    expect(await json(await call(`/v1/admin/read-model/rebuilds/${running.id}`, { token: admin.token }))).toMatchObject({ status: 'abandoned' })
    expect(await rebuildsRunning()).toBe(0)

    const third = await startOverHttp(admin.token)
    expect(third.id).not.toBe(running.id)
    expect(await finished(admin.token, third.id)).toMatchObject({ status: 'done' })
  })
})

async function rebuildsRunning(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM read_model_rebuilds WHERE status = 'running'").first<{ n: number }>())?.n ?? 0
}
