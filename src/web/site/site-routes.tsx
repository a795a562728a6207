import { Hono, type Context, type ExecutionContext } from 'hono'
import type { AppEnv } from '../../env'
import { afterResponse } from '../../http/after-response'
import { bodyLimit, MAX_BODY_BYTES } from '../../http/body-limit'
import { ipBlocklist } from '../../http/ip-blocklist'
import { loadSettings } from '../../http/load-settings'
import { Problem } from '../../http/problem'
import { pageHeaders, sameOriginForms } from '../page-guards'
import { pageErrors, type ErrorPage } from '../page-render'
import { pageSession } from '../web-session'
import { accountPageRoutes } from './account-routes'
import { listingPageRoutes } from './listing-routes'
import { searchPageRoutes } from './search-routes'
import { meRoutes } from './me-routes'
import { listingFormBody, sellRoutes } from './sell-routes'
import { SiteLayout } from './site-layout'

/** What `callApi` runs: the Worker's own app (web/site/api-call.ts). */
export type SelfApp = { fetch: (request: Request, env: Env, ctx?: ExecutionContext) => Response | Promise<Response> }

function executionContextOf(c: Context<AppEnv>): ExecutionContext | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined // app.request() in a test has none
  }
}

/**
 * The paths the site owns. Each gets the page middleware below; nothing else does (the API keeps
 * its own chain). A `/x/*` pattern covers `/x` too.
 */
export const sitePaths = ['/', '/login', '/register', '/logout', '/listings/*', '/sell/*', '/me/*'] as const

const siteErrorPage: ErrorPage = ({ title, detail, ...frame }) => (
  <SiteLayout title={title} {...frame}>
    <p class="problem">{detail}</p>
    <p>
      <a href="/">Back to browsing</a>
    </p>
  </SiteLayout>
)

/**
 * The site for people, server-rendered by this Worker (stylesheet and scripts in public/site/).
 * In order, on the site's paths only: settings, the IP blocklist and the body limit as /v1 has
 * them → page headers (CSP: this origin only) → the session cookie, checked as a bearer token is →
 * same-origin forms and their CSRF token on every POST → the pages. Pages read and act through
 * the JSON API in-process (`callApi`), so its validation, idempotency, risk checks, rate limits and
 * audit apply unchanged. Browsing needs no session; an action without one goes to `/login?next=`.
 */
export const site = (selfApp: SelfApp) => {
  const app = new Hono<AppEnv>()
  for (const path of sitePaths) {
    app.use(path, afterResponse(), loadSettings(), ipBlocklist(), bodyLimit(MAX_BODY_BYTES, [listingFormBody]), pageHeaders(), pageSession(), sameOriginForms(), async (c, next) => {
      c.set('selfApp', async (request) => selfApp.fetch(request, c.env, executionContextOf(c)))
      await next()
    })
  }
  return app
    .route('/', accountPageRoutes)
    .route('/', searchPageRoutes)
    .route('/', listingPageRoutes)
    .route('/', sellRoutes)
    .route('/', meRoutes)
    .all('/listings/*', () => {
      throw new Problem(404, 'not_found', 'There is no such page')
    })
    .onError(pageErrors('/login', siteErrorPage))
}
