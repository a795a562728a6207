import { describe, expect, it } from 'vitest'
import type { Logger } from '../../../src/core/logger'
import type { RelayBatch, RelayReceipt } from '../../../src/listings/relay-forwarding'
import { RelayFanOut } from '../../../src/listings/watcher-relay-client'

const NOW = 1_000_000
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }

/** A listing's fan-out over fake relays: `deliver(shard, batch)` answers for relay `shard`. */
function fanOut(deliver: (shard: number, batch: RelayBatch) => Promise<RelayReceipt>, stored: Record<string, unknown> = {}) {
  const clock = { now: NOW, lastSeq: 0, retries: 0 }
  const env = {
    WATCHER_RELAYS: {
      idFromName: (name: string) => name,
      get: (name: string) => ({ deliver: (batch: RelayBatch) => deliver(Number(name.split('/').at(-1)), batch) }),
    },
  } as unknown as Env
  const kv = { get: (k: string) => stored[k], put: (k: string, v: unknown) => void (stored[k] = v) } as unknown as SyncKvStorage
  const relays = new RelayFanOut(env, kv, {
    listingId: () => 'lst_1',
    lastSeq: () => clock.lastSeq,
    messagesAfter: (seq, limit) => Array.from({ length: Math.min(limit, clock.lastSeq - seq) }, (_, i) => ({ seq: seq + i + 1, text: '' })),
    resync: () => ({ seq: clock.lastSeq, text: '' }),
    now: () => clock.now,
    random: () => 0.5,
    log: () => quiet,
    retryLater: () => void clock.retries++,
  })
  return { relays, clock }
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('RelayFanOut', () => {
  it('leaves no retry due while a retried forward is in flight (else the alarm re-fires in a loop)', async () => {
    let calls = 0
    const { relays, clock } = fanOut(() => (++calls === 1 ? Promise.reject(new Error('relay down')) : new Promise<RelayReceipt>(() => {})))
    relays.admit()
    clock.lastSeq = 1
    relays.published([{ seq: 1, text: '' }])
    await settled()
    const retryAt = relays.nextRetryAt()
    expect(retryAt).toBeGreaterThan(NOW)
    expect(clock.retries).toBe(1)

    // The alarm: the retry goes out and hangs.
    clock.now = (retryAt ?? 0) + 1
    relays.resume()
    await settled()
    expect(calls).toBe(2)
    expect(relays.nextRetryAt()).toBeNull()
  })

  it('asks its relays how many watchers they hold as soon as it starts again, and spreads newcomers by those counts', async () => {
    const holding: Record<number, number> = { 0: 500, 1: 400 }
    const asked: number[] = []
    const { relays } = fanOut(
      (shard) => {
        asked.push(shard)
        return Promise.resolve({ accepted: true, deliveredUpTo: 7, watchers: holding[shard] ?? 0 })
      },
      { 'watcher-relays': [0, 1] },
    )
    await settled()
    expect(asked.sort()).toEqual([0, 1])
    expect(relays.admit().shard).toBe(1)
  })
})
