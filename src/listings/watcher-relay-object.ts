import { TracedObject } from '../platform/traced-object'
import { rootLogger } from '../platform/runtime'
import { listingStub } from './listing-object'
import type { RelayBatch, RelayReceipt } from './relay-forwarding'

/** How far this relay has delivered, kept so a relay woken from hibernation still knows. */
const DELIVERED_KEY = 'delivered-up-to'
/** The highest position a watcher joined at beyond what was delivered then (see `settle`). */
const HIGHEST_FLOOR_KEY = 'highest-floor'
/** A newcomer's replay pages before giving up (each page is at most RELAY_BATCH_LIMIT events). */
const CATCH_UP_PAGES = 100

/**
 * One of a listing's watcher relays (`GET /v1/listings/{id}/live`): holds its share of the
 * listing's watchers on hibernatable WebSockets and sends them what the listing forwards. The
 * listing does no per-watcher work; the relays, each its own object, send side by side.
 *
 * Every watcher that has joined is at `deliveredUpTo` or, if it joined further on, at its own
 * floor (its socket's attachment): a forward sends each watcher the events after its position,
 * in seq order, and a forward that would leave one of them a gap is refused, so the listing
 * resends from `deliveredUpTo`. A newcomer is replayed what it missed from the listing's log
 * before it takes part in forwards, so it gets no gap and no repeat.
 */
export class WatcherRelayObject extends TracedObject {
  private deliveredUpTo: number | null
  private highestFloor: number
  /** Sockets still being replayed to: forwards pass them by. */
  private readonly joining = new Set<WebSocket>()
  private readonly floors = new WeakMap<WebSocket, number>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.deliveredUpTo = ctx.storage.kv.get<number>(DELIVERED_KEY) ?? null
    this.highestFloor = ctx.storage.kv.get<number>(HIGHEST_FLOOR_KEY) ?? -1
    // Watchers' pings are answered by the runtime without waking the relay.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
  }

  /**
   * A watcher joins: `listing` and `at` (where its log stood when the listing admitted it) come
   * from the route, `since` from the watcher, who without it starts from `at`. Answers 101 once
   * the watcher has everything up to its position, or 503 if the listing could not be asked.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const since = url.searchParams.get('since')
    const at = Number(url.searchParams.get('at'))
    // One address holds at most `cap` of this relay's sockets (its IP pseudonym tags them).
    const ipTag = `ip:${url.searchParams.get('ip') ?? 'unknown'}`
    if (this.ctx.getWebSockets(ipTag).length >= Number(url.searchParams.get('cap') ?? Infinity)) return new Response(null, { status: 429 })
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.ctx.acceptWebSocket(server, [ipTag])
    this.joining.add(server)
    try {
      // Without `since`, a watcher whose `at` this relay has already delivered past (forwards that
      // went out between its admission and its arrival) is replayed the events after `at` too.
      const from = since === null ? at : Number(since)
      const behind = since !== null || (this.deliveredUpTo !== null && at < this.deliveredUpTo)
      const position = behind ? await this.catchUp(server, url.searchParams.get('listing') ?? '', from) : at
      this.settle(server, position)
    } catch (err) {
      rootLogger('warn').warn('watcher_catch_up_failed', { err })
      server.close(1011, 'reconnect with since')
      return new Response(null, { status: 503 })
    } finally {
      this.joining.delete(server)
    }
    return new Response(null, { status: 101, webSocket: client })
  }

  /** The listing's forward: sends each watcher the events after its position. */
  deliver(batch: RelayBatch): RelayReceipt {
    const sockets = this.ctx.getWebSockets()
    const delivered = this.deliveredUpTo
    const fresh = delivered === null ? batch.messages : batch.messages.filter((m) => m.seq > delivered)
    const first = fresh[0]
    const last = fresh.at(-1)
    if (!first || !last) return { accepted: true, deliveredUpTo: delivered, watchers: sockets.length }
    if (!batch.resync && delivered !== null && first.seq > delivered + 1 && this.someoneLacksBefore(sockets, first.seq, delivered)) {
      return { accepted: false, deliveredUpTo: delivered, watchers: sockets.length }
    }
    const checkFloors = this.highestFloor > (delivered ?? -1)
    for (const ws of sockets) {
      if (this.joining.has(ws)) continue
      const floor = checkFloors ? this.floorOf(ws) : -1
      try {
        for (const m of fresh) if (m.seq > floor) ws.send(m.text)
      } catch (err) {
        // A socket closing under us: its watcher reconnects with `since` and misses nothing.
        rootLogger('warn').warn('watcher_send_failed', { err })
      }
    }
    this.deliveredUpTo = last.seq
    // After the sends: a storage write holds back messages sent after it until it is durable.
    this.ctx.storage.kv.put(DELIVERED_KEY, last.seq)
    return { accepted: true, deliveredUpTo: last.seq, watchers: sockets.length }
  }

  override webSocketMessage(): void {
    // Watchers only listen; pings are answered by the auto-response without waking the relay.
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    // 1005/1006/1015 report how a socket ended but may not be sent; answer those with 1000.
    ws.close([1005, 1006, 1015].includes(code) ? 1000 : code, reason)
  }

  /** Replays from the listing's log until the newcomer is level with the log and with this relay; answers its position. */
  private async catchUp(server: WebSocket, listingId: string, since: number): Promise<number> {
    const listing = listingStub(this.env, listingId)
    let position = since
    for (let page = 0; page < CATCH_UP_PAGES; page++) {
      const missed = await listing.livePage(position)
      if (!missed) throw new Error(`listing ${listingId} not found`)
      for (const m of missed.messages) server.send(m.text)
      position = missed.resync ? missed.lastSeq : (missed.messages.at(-1)?.seq ?? missed.from)
      // Forwards that arrived meanwhile passed this socket by: it reads those from the log too.
      if (position >= missed.lastSeq && position >= (this.deliveredUpTo ?? position)) return position
    }
    throw new Error(`watcher of ${listingId} still behind after ${CATCH_UP_PAGES} pages`)
  }

  /**
   * The newcomer at `position` takes part in forwards from now on. Beyond what was delivered, its
   * position is kept on its socket (surviving hibernation), so forwards skip what it already has.
   */
  private settle(ws: WebSocket, position: number): void {
    const delivered = this.deliveredUpTo
    if (delivered === null) {
      this.deliveredUpTo = position
      this.ctx.storage.kv.put(DELIVERED_KEY, position)
    } else if (position > delivered) {
      ws.serializeAttachment({ floor: position })
      this.floors.set(ws, position)
      if (position > this.highestFloor) {
        this.highestFloor = position
        this.ctx.storage.kv.put(HIGHEST_FLOOR_KEY, position)
      }
    }
  }

  private someoneLacksBefore(sockets: WebSocket[], seq: number, delivered: number): boolean {
    const checkFloors = this.highestFloor > delivered
    return sockets.some((ws) => !this.joining.has(ws) && Math.max(delivered, checkFloors ? this.floorOf(ws) : -1) < seq - 1)
  }

  private floorOf(ws: WebSocket): number {
    const known = this.floors.get(ws)
    if (known !== undefined) return known
    const attached = ws.deserializeAttachment() as { floor?: number } | null
    const floor = attached?.floor ?? -1
    this.floors.set(ws, floor)
    return floor
  }
}
