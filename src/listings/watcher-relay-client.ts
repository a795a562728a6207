import { backoffSeconds } from '../core/backoff'
import type { Logger } from '../core/logger'
import { afterFailure, afterReceipt, freshLane, nextForward, sending, type Forward, type Lane, type RelayBatch, type RelayMessage } from './relay-forwarding'
import { admitted, chooseRelay, reported, type Roster } from './watcher-roster'

/** Relay `shard` of listing `listingId`: one of the objects holding that listing's watchers' sockets. */
export const relayStub = (env: Env, listingId: string, shard: number) => env.WATCHER_RELAYS.get(env.WATCHER_RELAYS.idFromName(`${listingId}/relay/${shard}`))

/** Where the listing keeps which relays it forwards to, so a restart still knows them. */
const ROSTER_KEY = 'watcher-relays'
/** Recent messages kept in memory, so a forward rarely reads the log back from storage. */
const RECENT = 256

export type RelayFanOutPorts = {
  listingId(): string
  /** The seq of the last committed event. */
  lastSeq(): number
  /** Up to `limit` messages after `seq`, from the log. */
  messagesAfter(seq: number, limit: number): RelayMessage[]
  /** One `live.resync` message with the listing as it stands now, standing for `missed` events. */
  resync(missed: number): RelayMessage
  now(): number
  random(): number
  log(): Logger
  /** A failed forward is due again: the listing arms its alarm (which calls `resume`) for `nextRetryAt`. */
  retryLater(): void
}

/**
 * The listing object's side of the live channel: it admits each watcher to one of its relays
 * (the roster), and after each commit forwards the new events to every relay that holds
 * watchers, outside the storage transaction and without waiting for them: one forward in flight
 * per relay, later commits coalesced into the next (relay-forwarding.ts). A relay that fails is tried
 * again from where it stood, at the latest from the listing's alarm (`retryAt`).
 */
export class RelayFanOut {
  private roster: Roster
  private readonly lanes = new Map<number, Lane>()
  private readonly recent = new Map<number, RelayMessage>()

  constructor(
    private readonly env: Env,
    private readonly kv: SyncKvStorage,
    private readonly ports: RelayFanOutPorts,
  ) {
    // After a restart the listing knows which relays hold watchers, not how far each got nor how
    // many each holds: it asks them at once (a probe), so newcomers are spread by real counts
    // again as soon as the answers are in. A watcher admitted just before the restart may still
    // be on its way, so a restored relay gets the same grace as a fresh admission.
    const shards = kv.get<number[]>(ROSTER_KEY) ?? []
    const now = ports.now()
    this.roster = Object.fromEntries(shards.map((s) => [s, { watchers: 0, admissions: 0, admittedAt: now }]))
    for (const s of shards) this.lanes.set(s, freshLane(null))
    this.pumpAll()
  }

  /** Sends one more watcher to a relay: which one, and the seq the listing stands at now. */
  admit(): { shard: number; lastSeq: number } {
    const shard = chooseRelay(this.roster)
    const lastSeq = this.ports.lastSeq()
    const isNew = !(shard in this.roster)
    this.roster = admitted(this.roster, shard, this.ports.now())
    if (isNew) {
      this.lanes.set(shard, freshLane(lastSeq))
      this.saveRoster()
    }
    return { shard, lastSeq }
  }

  /** Shards the listing forwards to, for operators and tests. */
  shards(): number[] {
    return Object.keys(this.roster).map(Number)
  }

  /** After a commit: its events, in seq order, go to every relay. */
  published(messages: RelayMessage[]): void {
    for (const m of messages) this.recent.set(m.seq, m)
    for (const seq of this.recent.keys()) {
      if (this.recent.size <= RECENT) break
      this.recent.delete(seq)
    }
    this.pumpAll()
  }

  /** From the alarm: relays whose forward failed, or that are behind, get theirs now. */
  resume(): void {
    this.pumpAll()
  }

  /** When a failed forward is due again, for the listing's alarm. */
  nextRetryAt(): number | null {
    const due = [...this.lanes.values()].filter((l) => l.retryAt > 0).map((l) => l.retryAt)
    return due.length === 0 ? null : Math.min(...due)
  }

  private pumpAll(): void {
    for (const shard of this.lanes.keys()) void this.pump(shard)
  }

  /** Forwards to one relay until it has everything or fails; never throws. */
  private async pump(shard: number): Promise<void> {
    for (;;) {
      const lane = this.lanes.get(shard)
      const lastSeq = this.ports.lastSeq()
      const forward = lane && nextForward(lane, lastSeq, this.ports.now())
      if (!lane || !forward) return
      this.lanes.set(shard, sending(lane))
      const admissionsAtSend = this.roster[shard]?.admissions ?? 0
      try {
        const receipt = await relayStub(this.env, this.ports.listingId(), shard).deliver(this.batchFor(forward))
        this.roster = reported(this.roster, shard, receipt.watchers, admissionsAtSend, this.ports.now())
        if (!(shard in this.roster)) {
          this.lanes.delete(shard)
          this.saveRoster()
          return
        }
        this.lanes.set(shard, afterReceipt(lane, receipt, lastSeq))
      } catch (err) {
        const delayMs = Math.max(250, backoffSeconds(lane.failures + 1, () => this.ports.random(), { baseSeconds: 1, capSeconds: 30 }) * 1000)
        this.lanes.set(shard, afterFailure(lane, this.ports.now(), delayMs))
        this.ports.log().warn('relay_forward_failed', { shard, failures: lane.failures + 1, delayMs, err })
        this.ports.retryLater()
        return
      }
    }
  }

  private batchFor(forward: Forward): RelayBatch {
    if (forward.kind === 'probe') return { messages: [], resync: false }
    if (forward.kind === 'resync') return { messages: [this.ports.resync(forward.missed)], resync: true }
    const messages: RelayMessage[] = []
    for (let seq = forward.after + 1; seq <= forward.upTo; seq++) {
      const m = this.recent.get(seq)
      if (!m) return { messages: this.ports.messagesAfter(forward.after, forward.upTo - forward.after), resync: false }
      messages.push(m)
    }
    return { messages, resync: false }
  }

  private saveRoster(): void {
    this.kv.put(ROSTER_KEY, this.shards())
  }
}
