import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { listingStub, type ListingObject } from '../../../src/listings/listing-object'
import { relayStub } from '../../../src/listings/watcher-relay-client'
import { ADMISSION_GRACE_MS } from '../../../src/listings/watcher-roster'
import { BASE } from '../support/api'
import { seqRange, untilAllSaw, watchListing, type LiveMessage, type TestWatcher } from '../support/live-watchers'
import { createAuction, usd, userId } from './fixtures'

const BIDDER = userId('relay-bidder')
type Stub = ReturnType<typeof listingStub>

let maximum = 1000
/** `n` bids by one bidder raising their own maximum: one `bid.placed` each. */
async function bid(stub: Stub, n: number): Promise<number> {
  for (let i = 0; i < n; i++) {
    const placed = await stub.placeBid({ bidderId: BIDDER, maxAmount: usd((maximum += 100)) })
    if (!placed.ok) throw new Error(`bid refused: ${JSON.stringify(placed.rejection)}`)
  }
  return version(stub)
}

async function version(stub: Stub): Promise<number> {
  const view = await stub.view()
  if (!view) throw new Error('listing gone')
  return view.version
}

const seqs = (w: TestWatcher) => w.messages.map((m) => m.seq)

/** Restarts an object as a deploy or an eviction would: memory and sockets gone, storage kept. */
async function restart(stub: DurableObjectStub): Promise<void> {
  await runInDurableObject(stub, (_, state) => state.abort('restart')).catch((err: unknown) => {
    if (!String(err).includes('restart')) throw err
  })
}

/**
 * The second half of the live route on its own: a watcher the listing admitted (`admitWatcher()`)
 * arrives at its relay, without `since`, whenever the test lets it.
 */
async function arrive(listingId: string, admitted: { shard: number; lastSeq: number }): Promise<TestWatcher> {
  const url = new URL(`${BASE}/v1/listings/${listingId}/live`)
  url.searchParams.set('listing', listingId)
  url.searchParams.set('at', String(admitted.lastSeq))
  const res = await relayStub(env, listingId, admitted.shard).fetch(new Request(url, { headers: { upgrade: 'websocket' } }))
  const ws = res.webSocket
  if (res.status !== 101 || !ws) throw new Error(`arrive at relay ${admitted.shard}: ${res.status}`)
  const messages: LiveMessage[] = []
  ws.accept()
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(String(e.data)) as LiveMessage)
  })
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
  return { ws, messages, closed, lastSeq: () => messages.at(-1)?.seq ?? admitted.lastSeq }
}

/** Waits until relay `shard` has delivered up to `seq` (its forward has answered, or is about to). */
async function untilRelayDelivered(listingId: string, shard: number, seq: number): Promise<void> {
  const until = Date.now() + 5000
  for (;;) {
    const delivered = await runInDurableObject(relayStub(env, listingId, shard), (_, state) => state.storage.kv.get<number>('delivered-up-to'))
    if ((delivered ?? -1) >= seq) return
    if (Date.now() > until) throw new Error(`relay ${shard} had not delivered ${seq}`)
    await scheduler.wait(10)
  }
}

describe('watcher relays', () => {
  it('keeps a few watchers on one relay, each getting every event once, in seq order, with public data only', async () => {
    const { id, stub } = await createAuction()
    const watchers = await Promise.all([0, 0, 0].map((since) => watchListing(id, since)))
    const last = await bid(stub, 5)
    await untilAllSaw(watchers, last)
    for (const w of watchers) expect(seqs(w)).toEqual(seqRange(1, last))
    expect(await stub.relayShards()).toEqual([0])
    const seen = JSON.stringify(watchers[0]?.messages)
    expect(seen).not.toContain(BIDDER)
    expect(seen).not.toContain('maxAmount')
  })

  it('replays a newcomer from its `since` while bids keep committing, then feeds it live: no gap, no repeat', async () => {
    const { id, stub } = await createAuction()
    const watchers: { since: number; watcher: TestWatcher }[] = []
    const bidding = bid(stub, 150)
    for (let i = 0; i < 20; i++) {
      await scheduler.wait(5)
      const since = Math.floor(Math.random() * (await version(stub)))
      watchers.push({ since, watcher: await watchListing(id, since) })
    }
    const last = await bidding
    await untilAllSaw(
      watchers.map((w) => w.watcher),
      last,
    )
    for (const { since, watcher } of watchers) expect(seqs(watcher)).toEqual(seqRange(since + 1, last))
  })

  it('after a relay restarts mid-stream, its watchers see the close, reconnect with `since` and get exactly what they missed', async () => {
    const { id, stub } = await createAuction()
    const watchers = await Promise.all([0, 0, 0].map((since) => watchListing(id, since)))
    const before = await bid(stub, 3)
    await untilAllSaw(watchers, before)
    await restart(relayStub(env, id, 0))
    for (const w of watchers) expect(await w.closed).toBe(1006)
    await bid(stub, 4)
    const back = await Promise.all(watchers.map((w) => watchListing(id, w.lastSeq())))
    const last = await bid(stub, 2)
    await untilAllSaw(back, last)
    watchers.forEach((w, i) => expect([...seqs(w), ...seqs(back[i] as TestWatcher)]).toEqual(seqRange(1, last)))
  })

  it('after the listing restarts, its first forward asks each relay how far it got, and no watcher misses an event', async () => {
    const { id, stub } = await createAuction()
    const watchers = await Promise.all([0, 0].map((since) => watchListing(id, since)))
    await untilAllSaw(watchers, await bid(stub, 2))
    await restart(stub)
    const again = listingStub(env, id)
    const last = await bid(again, 3)
    await untilAllSaw(watchers, last)
    for (const w of watchers) expect(seqs(w)).toEqual(seqRange(1, last))
    expect(await again.relayShards()).toEqual([0])
  })

  it('refuses a forward that would leave a watcher a gap, ignores one it already delivered, and takes a resync', async () => {
    const { id, stub } = await createAuction()
    const [w] = await Promise.all([watchListing(id, 0)])
    if (!w) throw new Error('no watcher')
    const at = await bid(stub, 1)
    await untilAllSaw([w], at)
    const relay = relayStub(env, id, 0)
    const fake = (seq: number, type = 'fake.event') => ({ seq, text: JSON.stringify({ seq, type, data: {} }) })

    expect(await relay.deliver({ messages: [fake(at + 2)], resync: false })).toEqual({ accepted: false, deliveredUpTo: at, watchers: 1 })
    expect(await relay.deliver({ messages: [fake(at)], resync: false })).toEqual({ accepted: true, deliveredUpTo: at, watchers: 1 })
    const next = await bid(stub, 1)
    await untilAllSaw([w], next)
    expect(seqs(w)).toEqual(seqRange(1, next))
    expect(w.messages.map((m) => m.type)).not.toContain('fake.event')

    expect(await relay.deliver({ messages: [fake(next + 1500, 'live.resync')], resync: true })).toMatchObject({ accepted: true, deliveredUpTo: next + 1500 })
    await untilAllSaw([w], next + 1500)
    expect(w.messages.at(-1)).toMatchObject({ seq: next + 1500, type: 'live.resync' })
  })

  it('drops a relay whose watchers all left, and brings it back for the next watcher', async () => {
    const { id, stub } = await createAuction()
    const watchers = await Promise.all([0, 0].map((since) => watchListing(id, since)))
    await untilAllSaw(watchers, await bid(stub, 1))
    for (const w of watchers) w.ws.close(1000, 'bye')
    // Past the grace a relay gets after its last admission (watchers may still be on their way).
    await runInDurableObject(stub, (o: ListingObject) => {
      o.now = () => new Date(Date.now() + ADMISSION_GRACE_MS + 1000)
    })
    // The relay reports its sockets with each forward; once they are gone it leaves the roster.
    const deadline = Date.now() + 5000
    while ((await stub.relayShards()).length > 0 && Date.now() < deadline) {
      await bid(stub, 1)
      await scheduler.wait(20)
    }
    expect(await stub.relayShards()).toEqual([])
    const newcomer = await watchListing(id, 0)
    expect(await stub.relayShards()).toEqual([0])
    const last = await bid(stub, 2)
    await untilAllSaw([newcomer], last)
    expect(seqs(newcomer)).toEqual(seqRange(1, last))
  })

  it('keeps the relay its first watcher was admitted to while that watcher is on its way, though a forward found nobody there', async () => {
    const { id, stub } = await createAuction()
    const admitted = await stub.admitWatcher()
    if (!admitted) throw new Error('not admitted')
    // A bid commits before the watcher reaches the relay: the relay answers the forward with no sockets.
    const first = await bid(stub, 1)
    await untilRelayDelivered(id, admitted.shard, first)
    await scheduler.wait(50)
    expect(await stub.relayShards()).toEqual([admitted.shard])
    const watcher = await arrive(id, admitted)
    const last = await bid(stub, 2)
    await untilAllSaw([watcher], last)
    expect(seqs(watcher)).toEqual(seqRange(admitted.lastSeq + 1, last))
  })

  it('replays a watcher without `since` what its relay delivered between its admission and its arrival', async () => {
    const { id, stub } = await createAuction()
    const early = await watchListing(id)
    const admitted = await stub.admitWatcher()
    if (!admitted) throw new Error('not admitted')
    const meanwhile = await bid(stub, 2)
    await untilAllSaw([early], meanwhile)
    const late = await arrive(id, admitted)
    const last = await bid(stub, 1)
    await untilAllSaw([early, late], last)
    expect(seqs(late)).toEqual(seqRange(admitted.lastSeq + 1, last))
    expect(seqs(early)).toEqual(seqRange(admitted.lastSeq + 1, last))
  })
})
