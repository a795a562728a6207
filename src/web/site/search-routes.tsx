import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { systemClock } from '../../platform/runtime'
import { frameOf, renderPage } from '../page-render'
import { callApi, problemText } from './api-call'
import { browseParamsOf, searchQueryOf } from './browse-params'
import type { PageListing } from './listing-card'
import { SearchPage, type Facets, type SearchView } from './search-page'

/**
 * `/`: the front page. Reads `GET /v1/listings` and `GET /v1/listings/facets` with the same
 * filters, in-process and side by side; a filter the API refuses (a stale cursor) or a price
 * that is not one shows why, with status 400, never a 500.
 */
export const searchPageRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const url = new URL(c.req.url)
  const params = browseParamsOf(c.req.query())
  const here = `${url.pathname}${url.search}`
  const frame = await frameOf(c)
  const nowMs = systemClock().getTime()
  const planned = searchQueryOf(params)
  if (!planned.ok) return renderPage(c, <SearchPage {...frame} params={params} here={here} nowMs={nowMs} results={{ error: planned.error }} />, 400)
  const { sort: _sort, cursor: _cursor, limit: _limit, ...filters } = planned.query
  const [found, counted] = await Promise.all([
    callApi<{ data: PageListing[]; nextCursor: string | null }>(c, 'GET', '/listings', { query: planned.query }),
    callApi<Facets>(c, 'GET', '/listings/facets', { query: filters }),
  ])
  const results: SearchView['results'] = found.ok ? { listings: found.body.data, nextCursor: found.body.nextCursor } : { error: problemText(found.problem) }
  const status = found.ok ? 200 : found.status === 429 || found.status >= 500 ? found.status : 400
  if (!found.ok) {
    const retry = found.headers.get('retry-after')
    if (retry) c.header('Retry-After', retry)
  }
  return renderPage(c, <SearchPage {...frame} params={params} here={here} nowMs={nowMs} results={results} facets={counted.ok ? counted.body : undefined} />, status as 200 | 400 | 429 | 500 | 503)
})
