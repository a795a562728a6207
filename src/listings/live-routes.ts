import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { problems } from '../http/common-schemas'
import { clientIpSubject } from '../http/client-ip'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { listingStub } from './listing-object'
import { AuctionIdParam, LiveQuery } from './listing-schemas'
import { relayStub } from './watcher-relay-client'

/** When an address that holds its share of a listing's sockets may try again. */
const FULL_RETRY_SECONDS = 10

const liveRoute = createRoute({
  method: 'get',
  path: '/listings/{id}/live',
  tags: ['Listings'],
  summary: 'WebSocket: every event of the listing as `{ seq, type, data }` as it commits, after a replay from `since`',
  description:
    'Anyone may watch a listing. Messages carry public data only. Send the text `ping` to be answered `pong`. ' +
    'Reconnect with `since` set to the last `seq` you saw to receive exactly what you missed.',
  request: { params: AuctionIdParam, query: LiveQuery },
  responses: {
    101: { description: 'Switching to WebSocket' },
    404: problems[404],
    426: { description: '`upgrade_required`: this route speaks WebSocket only', content: problems[404].content },
    429: { description: '`rate_limited`: this address already holds `LIVE_SOCKETS_PER_IP` sockets on the listing; close one (see `Retry-After`)', content: problems[404].content },
    503: { description: '`service_unavailable`: the listing could not be asked what the watcher missed; retry', content: problems[404].content },
  },
})

export const liveRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(liveRoute, async (c) => {
  const { id } = c.req.valid('param')
  const { since } = c.req.valid('query')
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new Problem(426, 'upgrade_required', 'Connect with a WebSocket client', { headers: { Upgrade: 'websocket' } })
  }
  // The listing picks one of its relays; the relay holds the socket (hibernation) and replays
  // what the watcher missed. This isolate only hands the upgrade over.
  const admitted = await listingStub(c.env, id).admitWatcher()
  if (!admitted) throw new Problem(404, 'not_found')
  const url = new URL(c.req.url)
  url.search = ''
  url.searchParams.set('listing', id)
  url.searchParams.set('at', String(admitted.lastSeq))
  if (since !== undefined) url.searchParams.set('since', String(since))
  url.searchParams.set('ip', await clientIpSubject(c))
  url.searchParams.set('cap', String(c.var.settings.liveSocketsPerIp))
  const res = await relayStub(c.env, id, admitted.shard).fetch(new Request(url, c.req.raw))
  if (res.status === 503) throw new Problem(503, 'service_unavailable', 'Could not replay what was missed; reconnect with `since`')
  if (res.status === 429) {
    throw new Problem(429, 'rate_limited', 'Too many live connections from your address to this listing; close one first', { headers: { 'Retry-After': String(FULL_RETRY_SECONDS) } })
  }
  return res
})
