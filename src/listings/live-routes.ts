import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { listingStub } from './listing-object'
import { ListingIdParam, LiveQuery } from './listing-schemas'

const liveRoute = createRoute({
  method: 'get',
  path: '/listings/{id}/live',
  tags: ['Listings'],
  summary: 'WebSocket: every event of the listing as `{ seq, type, data }` as it commits, after a replay from `since`',
  description:
    'Anyone may watch a listing. Messages carry public data only. Send the text `ping` to be answered `pong`. ' +
    'Reconnect with `since` set to the last `seq` you saw to receive exactly what you missed.',
  request: { params: ListingIdParam, query: LiveQuery },
  responses: {
    101: { description: 'Switching to WebSocket' },
    404: problems[404],
    426: { description: '`upgrade_required`: this route speaks WebSocket only', content: problems[404].content },
  },
})

export const liveRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(liveRoute, async (c) => {
  const { id } = c.req.valid('param')
  const { since } = c.req.valid('query')
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new Problem(426, 'upgrade_required', 'Connect with a WebSocket client', { headers: { Upgrade: 'websocket' } })
  }
  const url = new URL(c.req.url)
  if (since !== undefined) url.searchParams.set('since', String(since))
  // The object holds the socket (hibernation); this isolate only hands the upgrade over.
  const res = await listingStub(c.env, id).fetch(new Request(url, c.req.raw))
  if (res.status === 404) throw new Problem(404, 'not_found')
  return res
})
