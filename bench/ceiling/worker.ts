import { DurableObject } from 'cloudflare:workers'

/** Does nothing, as fast as the runtime allows: one RPC round trip. */
export class NoopObject extends DurableObject {
  ping(): number {
    return 1
  }
}

/**
 * The fan-out ceiling: holds hibernatable WebSockets as Souk's watchers are held and sends one
 * given message to every one of them, in turn, with no other work. What broadcasting costs on
 * this machine, through the same local runtime and dev proxy.
 */
export class FanoutObject extends DurableObject {
  override fetch(): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.ctx.acceptWebSocket(server)
    return new Response(null, { status: 101, webSocket: client })
  }

  broadcast(message: string): number {
    let sent = 0
    for (const ws of this.ctx.getWebSockets()) {
      ws.send(message)
      sent++
    }
    return sent
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    ws.close([1005, 1006, 1015].includes(code) ? 1000 : code, reason)
  }
}

type CeilingEnv = { NOOP: DurableObjectNamespace<NoopObject>; FANOUT: DurableObjectNamespace<FanoutObject> }

/**
 * `GET /?object=` one no-op call; `GET /watch?object=` a watcher's WebSocket on a fan-out object;
 * `POST /broadcast?object=` sends the body to every watcher of that object.
 */
export default {
  async fetch(request: Request, env: CeilingEnv): Promise<Response> {
    const url = new URL(request.url)
    const name = url.searchParams.get('object') ?? 'hot'
    if (url.pathname === '/watch') return env.FANOUT.get(env.FANOUT.idFromName(name)).fetch(request)
    if (url.pathname === '/broadcast') return new Response(String(await env.FANOUT.get(env.FANOUT.idFromName(name)).broadcast(await request.text())))
    await env.NOOP.get(env.NOOP.idFromName(name)).ping()
    return new Response('ok')
  },
} satisfies ExportedHandler<CeilingEnv>
