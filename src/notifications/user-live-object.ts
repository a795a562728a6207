import { DurableObject } from 'cloudflare:workers'

/** The live object of one user. */
export const userLiveStub = (env: Env, userId: string) => env.USER_LIVE.get(env.USER_LIVE.idFromName(userId))

/**
 * One user's live channel (`GET /v1/me/live`): their WebSockets, held with hibernation so an idle
 * connection costs nothing, and the single-use tickets browsers connect with. Notifications and
 * order updates are pushed here as they happen; a user with no socket open is not disturbed.
 */
export class UserLiveObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
  }

  override fetch(): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.ctx.acceptWebSocket(server)
    return new Response(null, { status: 101, webSocket: client })
  }

  /** Sends each message, in order, to every open socket (one call for a consumer's whole batch); answers how many sockets took them. */
  pushAll(messages: unknown[]): number {
    const sockets = this.ctx.getWebSockets()
    if (sockets.length === 0) return 0
    const texts = messages.map((m) => JSON.stringify(m))
    let sent = 0
    for (const ws of sockets) {
      try {
        for (const text of texts) ws.send(text)
        sent++
      } catch {
        // A socket that is closing: its client reconnects and reads the inbox.
      }
    }
    return sent
  }

  /** Keeps a ticket (by its hash) until it is used or `expiresAt` passes. */
  async issueTicket(hash: string, expiresAt: number): Promise<void> {
    this.ctx.storage.kv.put(`ticket:${hash}`, expiresAt)
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || alarm > expiresAt) await this.ctx.storage.setAlarm(expiresAt)
  }

  /** True once for a live ticket: it is deleted as it is used. */
  redeemTicket(hash: string): boolean {
    const key = `ticket:${hash}`
    const expiresAt = this.ctx.storage.kv.get<number>(key)
    if (expiresAt === undefined) return false
    this.ctx.storage.kv.delete(key)
    return expiresAt > Date.now()
  }

  /** Forgets tickets nobody used. */
  override async alarm(): Promise<void> {
    const now = Date.now()
    let next: number | null = null
    for (const [key, expiresAt] of this.ctx.storage.kv.list<number>({ prefix: 'ticket:' })) {
      if (expiresAt <= now) this.ctx.storage.kv.delete(key)
      else next = next === null ? expiresAt : Math.min(next, expiresAt)
    }
    if (next !== null) await this.ctx.storage.setAlarm(next)
  }

  override webSocketMessage(): void {
    // The client only listens; pings are answered by the auto-response.
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    ws.close([1005, 1006, 1015].includes(code) ? 1000 : code, reason)
  }
}
