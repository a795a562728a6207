import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { readingAfter } from '../db/client'
import type { AppEnv } from '../env'
import { answerBookmark, BOOKMARK_HEADER, BookmarkAnswered, BookmarkHeader } from '../http/bookmark-header'
import { problems } from '../http/common-schemas'
import { contentTag, notModified, readModelPolicy } from '../http/conditional-get'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { listingFacets } from './listing-facets'
import { FacetQuery, FacetsSchema } from './listing-schemas'
import { facetGroups } from './listing-search-store'

/**
 * `GET /v1/listings/facets`. Its own router, mounted before the listing routes: `/listings/{id}`
 * would otherwise take `facets` for an id and refuse it.
 */
const facetsRoute = createRoute({
  method: 'get',
  path: '/listings/facets',
  tags: ['Listings'],
  summary: 'How many listings match, per category and per format, for the same filters as search',
  request: { query: FacetQuery, headers: z.object({ 'souk-bookmark': BookmarkHeader }) },
  responses: {
    200: { description: 'The counts', headers: BookmarkAnswered, content: { 'application/json': { schema: FacetsSchema } } },
    304: { description: 'Not modified: the `If-None-Match` tag is current' },
    400: problems[400],
  },
})

export const listingFacetRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(facetsRoute, async (c) => {
  // Read-your-writes as search: the counts include a write whose bookmark the caller sends.
  const session = readingAfter(c.env.DB, c.req.valid('header')['souk-bookmark'])
  const facets = listingFacets(await facetGroups(session.db, { ...c.req.valid('query'), now: systemClock() }))
  answerBookmark(c, session.bookmark())
  c.header('Vary', BOOKMARK_HEADER, { append: true })
  if (notModified(c, await contentTag(facets), readModelPolicy(c))) return c.body(null, 304)
  return c.json(facets, 200)
})
