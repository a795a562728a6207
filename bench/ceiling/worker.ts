import { DurableObject } from 'cloudflare:workers'

/** Does nothing, as fast as the runtime allows: one RPC round trip. */
export class NoopObject extends DurableObject {
  ping(): number {
    return 1
  }
}

type CeilingEnv = { NOOP: DurableObjectNamespace<NoopObject> }

export default {
  async fetch(request: Request, env: CeilingEnv): Promise<Response> {
    const name = new URL(request.url).searchParams.get('object') ?? 'hot'
    await env.NOOP.get(env.NOOP.idFromName(name)).ping()
    return new Response('ok')
  },
} satisfies ExportedHandler<CeilingEnv>
