import { TracedObject } from '../platform/traced-object'
import type { Logger } from '../core/logger'

/** The live object of one user. */
export const userLiveStub = (env: Env, userId: string) => env.USER_LIVE.get(env.USER_LIVE.idFromName(userId))

/** The header on the route's upgrade request naming the credential that opens the socket (set by the route, never the client's). */
export const LIVE_CREDENTIAL_HEADER = 'x-souk-live-credential'

/** The close code of a socket whose credential or account ended: reconnecting with it is refused. */
export const CREDENTIAL_ENDED = 4001

const credentialTag = (credentialId: string) => `credential:${credentialId}`

/**
 * Ends the live sockets of a credential that just ended, or all of an account's (`credentialId`
 * undefined). The credential is already refused everywhere; a socket left open by a failure here
 * is logged, and stops hearing anything once its client reconnects.
 */
export async function endLiveSockets(env: Env, userId: string, credentialId: string | undefined, log: Logger): Promise<void> {
  try {
    await userLiveStub(env, userId).endSockets(credentialId)
  } catch (err) {
    log.warn('live_sockets_not_ended', { userId, credentialId, err })
  }
}

/** A ticket as kept: when it lapses, and the credential that asked for it (the socket it opens belongs to that credential). */
type KeptTicket = { expiresAt: number; credentialId: string }

/**
 * One user's live channel (`GET /v1/me/live`): their WebSockets, held with hibernation so an idle
 * connection costs nothing, and the single-use tickets browsers connect with. Notifications and
 * order updates are pushed here as they happen; a user with no socket open is not disturbed.
 */
export class UserLiveObject extends TracedObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
  }

  /** Accepts a socket for the credential the route names, tagged with it so it can be ended with it. */
  override fetch(request: Request): Response {
    const credentialId = request.headers.get(LIVE_CREDENTIAL_HEADER)
    if (!credentialId) return new Response('no credential', { status: 400 })
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.ctx.acceptWebSocket(server, [credentialTag(credentialId)])
    return new Response(null, { status: 101, webSocket: client })
  }

  /**
   * Closes the sockets a credential opened (logout, key revocation), or every socket when none is
   * named (erasure, freeze); answers how many. The client must not reconnect with that credential.
   */
  endSockets(credentialId?: string): number {
    const sockets = credentialId === undefined ? this.ctx.getWebSockets() : this.ctx.getWebSockets(credentialTag(credentialId))
    for (const ws of sockets) {
      try {
        ws.close(CREDENTIAL_ENDED, 'credential ended')
      } catch {
        // Already closing.
      }
    }
    return sockets.length
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

  /** Keeps a ticket (by its hash) for `credentialId` until it is used or `expiresAt` passes. */
  async issueTicket(hash: string, expiresAt: number, credentialId: string): Promise<void> {
    this.ctx.storage.kv.put(`ticket:${hash}`, { expiresAt, credentialId } satisfies KeptTicket)
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || alarm > expiresAt) await this.ctx.storage.setAlarm(expiresAt)
  }

  /** The credential a live ticket was issued to, once: it is deleted as it is used. */
  redeemTicket(hash: string): string | null {
    const key = `ticket:${hash}`
    const kept = this.ctx.storage.kv.get<KeptTicket | number>(key)
    if (kept === undefined) return null
    this.ctx.storage.kv.delete(key)
    // A ticket kept before tickets named their credential is a bare expiry: it opens nothing.
    return typeof kept === 'object' && kept.expiresAt > Date.now() ? kept.credentialId : null
  }

  /** Forgets tickets nobody used. */
  override async alarm(): Promise<void> {
    const now = Date.now()
    let next: number | null = null
    for (const [key, kept] of this.ctx.storage.kv.list<KeptTicket | number>({ prefix: 'ticket:' })) {
      const expiresAt = typeof kept === 'number' ? kept : kept.expiresAt
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
