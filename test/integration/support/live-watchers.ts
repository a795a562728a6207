import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import worker from '../../../src/index'
import { BASE } from './api'

export type LiveMessage = { seq: number; type: string; data: Record<string, unknown> }

/** A watcher of a listing's live channel inside workerd, through the worker's own route. */
export type TestWatcher = {
  ws: WebSocket
  messages: LiveMessage[]
  closed: Promise<number>
  lastSeq(): number
}

/**
 * Opens `GET /v1/listings/{id}/live` (with `since` if given) through the worker's own fetch
 * handler and records every message. The handler is called directly rather than through the
 * test pool's `exports.default`, whose every call costs more than the one before it (ten
 * thousand upgrades through it would take the better part of an hour).
 */
export async function watchListing(listingId: string, since?: number): Promise<TestWatcher> {
  const url = `${BASE}/v1/listings/${listingId}/live${since === undefined ? '' : `?since=${since}`}`
  const res = await worker.fetch(new Request(url, { headers: { upgrade: 'websocket' } }), env, createExecutionContext())
  const ws = res.webSocket
  if (res.status !== 101 || !ws) throw new Error(`watch ${listingId}: ${res.status} ${await res.text()}`)
  const messages: LiveMessage[] = []
  ws.accept()
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(String(e.data)) as LiveMessage)
  })
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
  return { ws, messages, closed, lastSeq: () => messages.at(-1)?.seq ?? since ?? 0 }
}

/** Waits until every watcher has seen `seq`; fails after `deadlineMs` naming how many are short. */
export async function untilAllSaw(watchers: TestWatcher[], seq: number, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs
  for (;;) {
    const short = watchers.filter((w) => w.lastSeq() < seq).length
    if (short === 0) return
    if (Date.now() > until) throw new Error(`${short} of ${watchers.length} watchers had not seen seq ${seq} after ${deadlineMs} ms`)
    await scheduler.wait(10)
  }
}

/** Seqs from `from` to `to`, both included. */
export const seqRange = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
