import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { PageQuery, pageOf, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { listingStub } from './listing-object'
import { unwatch, watch, watchedListings } from './listing-read-store'
import { exampleListing, ListingIdParam, ListingSchema } from './listing-schemas'

const tags = ['Watchlist']
const security = [{ bearer: [] }]

const watchRoute = createRoute({
  method: 'put',
  path: '/listings/{id}/watch',
  tags,
  security,
  summary: 'Watch a listing (idempotent)',
  middleware: requireAccess('trading.write'),
  request: { params: ListingIdParam },
  responses: { 204: { description: 'Watched' }, 404: problems[404] },
})

const unwatchRoute = createRoute({
  method: 'delete',
  path: '/listings/{id}/watch',
  tags,
  security,
  summary: 'Stop watching a listing (idempotent)',
  middleware: requireAccess('trading.write'),
  request: { params: ListingIdParam },
  responses: { 204: { description: 'No longer watched' } },
})

const WatchlistPage = pageOf(z.object({ listingId: z.string(), listing: ListingSchema.nullable() })).openapi('WatchlistPage', {
  example: { data: [{ listingId: exampleIds.listing, listing: exampleListing }], nextCursor: null },
})

const watchlistRoute = createRoute({
  method: 'get',
  path: '/me/watchlist',
  tags,
  security,
  summary: 'The listings the caller watches, most recently listed first',
  middleware: requireAccess('account.read'),
  request: { query: PageQuery },
  responses: {
    200: {
      description: 'A page of watched listings',
      content: { 'application/json': { schema: WatchlistPage } },
    },
  },
})

export const watchRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(watchRoute, async (c) => {
    const user = principalOf(c)
    const { id } = c.req.valid('param')
    if (!(await listingStub(c.env, id).view())) throw new Problem(404, 'not_found')
    await watch(database(c.env.DB), user.userId, id, systemClock())
    return c.body(null, 204)
  })
  .openapi(unwatchRoute, async (c) => {
    const user = principalOf(c)
    await unwatch(database(c.env.DB), user.userId, c.req.valid('param').id)
    return c.body(null, 204)
  })
  .openapi(watchlistRoute, async (c) => {
    const user = principalOf(c)
    const { limit, cursor } = c.req.valid('query')
    const rows = await watchedListings(database(c.env.DB), user.userId, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, (r) => r.listingId)
    return c.json({ data: data.map((r) => ({ listingId: r.listingId, listing: r.view })), nextCursor }, 200)
  })
