import { describe, expect, it } from 'vitest'
import { relaysNeeded } from '../../../src/listings/watcher-roster'
import { seqRange, untilAllSaw, watchListing, type TestWatcher } from '../support/live-watchers'
import { createAuction, usd, userId } from './fixtures'

const WATCHERS = 10_000
/** Upgrades in flight at once while the watchers join. */
const JOIN_BATCH = 500
const BIDS = 5

describe('ten thousand watchers on one listing', () => {
  it('gives every watcher every event exactly once, in seq order, through the worker’s own route', async () => {
    const { id, stub } = await createAuction()
    const watchers: TestWatcher[] = []
    for (let i = 0; i < WATCHERS; i += JOIN_BATCH) {
      watchers.push(...(await Promise.all(Array.from({ length: Math.min(JOIN_BATCH, WATCHERS - i) }, () => watchListing(id)))))
    }
    const joinedAt = (await stub.view())?.version ?? 0
    expect((await stub.relayShards()).sort((a, b) => a - b)).toEqual(seqRange(0, relaysNeeded(WATCHERS) - 1))

    for (let i = 1; i <= BIDS; i++) {
      const placed = await stub.placeBid({ bidderId: userId(`crowd-bidder-${i % 2}`), maxAmount: usd(1000 + 500 * i) })
      expect(placed.ok).toBe(true)
    }
    const last = (await stub.view())?.version ?? 0
    expect(last).toBeGreaterThanOrEqual(joinedAt + BIDS)
    await untilAllSaw(watchers, last, 60_000)
    // Let anything sent twice or late land before counting.
    await scheduler.wait(200)

    const expected = seqRange(joinedAt + 1, last)
    const wrong = watchers.filter((w) => w.messages.map((m) => m.seq).join() !== expected.join())
    expect(wrong.length).toBe(0)
    expect(watchers[WATCHERS - 1]?.messages.filter((m) => m.type === 'bid.placed')).toHaveLength(BIDS)
    for (const w of watchers) w.ws.close(1000, 'done')
  }, 300_000)
})
