import WebSocket from 'ws'
import { summarize, type Summary } from './stats.ts'

/**
 * Scenario (b) and its ceiling: many WebSocket watchers, a message every 50 ms, and how long each
 * watcher takes to hear of each one.
 *   (b)  Souk: watchers on `GET /v1/listings/{id}/live`, each message a bid placed over HTTP.
 *   ceiling: the ceiling worker's FanoutObject (bench/ceiling/worker.ts), which holds the same
 *        number of hibernatable WebSockets and sends one given message of the same shape to all
 *        of them, with no other work: what a broadcast costs on this machine, through the same
 *        local runtime and dev proxy.
 * Both crowds are open at once and take turns, FANOUT_ROUNDS rounds of messages each, so a drift
 * in the machine's load weighs on both alike; each starts with one message that is not counted.
 * Both are timed alike: from just before the message's cause is sent (the bid, the broadcast
 * request) to each watcher's receipt, matched by the message's `data.bidId`.
 */
export const FANOUT_MESSAGES = 40
export const FANOUT_GAP_MS = 50
const FANOUT_ROUNDS = 4
/** A watcher whose upgrade is not answered within this is dialled again, at most WATCHER_OPEN_ATTEMPTS times in all. */
export const WATCHER_OPEN_LIMIT_MS = 10_000
const WATCHER_OPEN_ATTEMPTS = 3

/** `answered`: how long the message's cause took to be answered (the bid; the broadcast, once every socket was sent it). */
export type FanoutResult = { latency: Summary; answered: Summary; deliveries: number; messages: number; inOrder: boolean; reconnected: number }

type Post = (path: string, token: string | undefined, body: unknown) => Promise<Response>
/** A crowd of watchers at `url`; `send` makes message `i` and answers its id (undefined if it failed). */
type Target = { label: string; url: string; send: (i: number) => Promise<string | undefined> }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const usd = (amount: number) => ({ amount, currency: 'USD' })

/** (b) on `listingId` and its ceiling, `watcherCount` watchers each, measured turn about. */
export async function fanoutWithCeiling(
  base: string,
  listingId: string,
  bidders: string[],
  post: Post,
  ceilingUrl: string,
  watcherCount: number,
  progress: (line: string) => void,
): Promise<{ b: FanoutResult; ceiling: FanoutResult }> {
  const ceiling = await openCrowd(ceilingTarget(ceilingUrl), watcherCount, progress)
  const b = await openCrowd(bidTarget(base, listingId, bidders, post), watcherCount, progress)
  for (const crowd of [ceiling, b]) await crowd.warmUp()
  progress(`(b) and its ceiling: ${FANOUT_MESSAGES} messages each, ${FANOUT_GAP_MS} ms apart, in ${FANOUT_ROUNDS} rounds…`)
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    for (const crowd of [ceiling, b]) await crowd.measure(FANOUT_MESSAGES / FANOUT_ROUNDS)
  }
  await sleep(1000)
  return { b: b.close(), ceiling: ceiling.close() }
}

function bidTarget(base: string, listingId: string, bidders: string[], post: Post): Target {
  let amount = 1000
  return {
    label: '(b)',
    url: `${base.replace(/^http/, 'ws')}/v1/listings/${listingId}/live`,
    async send(i) {
      amount += 200
      const res = await post(`/v1/listings/${listingId}/bids`, bidders[i % bidders.length], { maxAmount: usd(amount) })
      const body = (await res.json()) as { bid?: { id: string } }
      return body.bid?.id
    },
  }
}

function ceilingTarget(ceilingUrl: string): Target {
  const object = `fanout-${crypto.randomUUID()}`
  const endsAt = new Date(Date.now() + 6 * 3_600_000).toISOString()
  return {
    label: '(b) ceiling',
    url: `${ceilingUrl.replace(/^http/, 'ws')}/watch?object=${object}`,
    async send(i) {
      const bidId = `bid_${crypto.randomUUID().replaceAll('-', '').slice(0, 26)}`
      // The shape and size of a `bid.placed` message on Souk's live channel.
      const message = {
        seq: i + 2,
        type: 'bid.placed',
        data: { bidId, bidder: 'bidder-0a1b2c3d', currentPrice: usd(1200 + 200 * i), bidCount: i + 1, leaderChanged: true, endsAt },
      }
      const res = await fetch(`${ceilingUrl}/broadcast?object=${object}`, { method: 'POST', body: JSON.stringify(message) })
      await res.arrayBuffer()
      return res.status === 200 ? bidId : undefined
    },
  }
}

/** Opens `count` watchers at the target (100 at a time) and measures the messages it sends them. */
async function openCrowd(target: Target, count: number, progress: (line: string) => void) {
  const sentAt = new Map<string, number>()
  const arrivals = new Map<string, number[]>()
  const answered: number[] = []
  let inOrder = true
  const sockets: WebSocket[] = []
  let reconnected = 0
  let sent = 0
  /** One watcher, let in within WATCHER_OPEN_LIMIT_MS or dropped and dialled again (see bench/README.md). */
  const watch = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const ws = new WebSocket(target.url)
      const opened = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => resolve(false), WATCHER_OPEN_LIMIT_MS)
        ws.once('open', () => {
          clearTimeout(timer)
          resolve(true)
        })
        ws.once('error', reject)
      })
      if (opened) {
        sockets.push(ws)
        let lastSeq = 0
        ws.on('message', (raw: Buffer) => {
          const now = performance.now()
          const m = JSON.parse(raw.toString()) as { seq: number; type: string; data: { bidId?: string } }
          if (lastSeq !== 0 && m.seq !== lastSeq + 1) inOrder = false
          lastSeq = m.seq
          if (m.type !== 'bid.placed' || !m.data.bidId) return
          arrivals.set(m.data.bidId, [...(arrivals.get(m.data.bidId) ?? []), now])
        })
        return
      }
      ws.terminate()
      if (attempt === WATCHER_OPEN_ATTEMPTS) throw new Error(`${target.label}: a watcher was not let in after ${attempt} tries of ${WATCHER_OPEN_LIMIT_MS} ms`)
      reconnected++
    }
  }
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, watch))
  progress(`${target.label}: ${sockets.length} watchers connected`)
  // Watchers often hear of a message before its sender's answer arrives: arrivals are matched by id afterwards.
  const one = async (counted: boolean) => {
    const t0 = performance.now()
    const id = await target.send(sent++)
    if (counted && id) {
      sentAt.set(id, t0)
      answered.push(performance.now() - t0)
    }
    await sleep(FANOUT_GAP_MS)
  }
  return {
    warmUp: () => one(false),
    async measure(n: number) {
      for (let i = 0; i < n; i++) await one(true)
    },
    close(): FanoutResult {
      for (const ws of sockets) ws.terminate()
      const latencies = [...sentAt].flatMap(([id, t0]) => (arrivals.get(id) ?? []).map((t) => t - t0))
      return { latency: summarize(latencies), answered: summarize(answered), deliveries: latencies.length, messages: sentAt.size, inOrder, reconnected }
    },
  }
}
