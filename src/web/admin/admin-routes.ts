import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { afterResponse } from '../../http/after-response'
import { bodyLimit } from '../../http/body-limit'
import { ipBlocklist } from '../../http/ip-blocklist'
import { loadSettings } from '../../http/load-settings'
import { Problem } from '../../http/problem'
import { rateLimit } from '../../http/rate-limit'
import { loginRoutes } from '../login-routes'
import { pageHeaders, sameOriginForms, staffOnly } from '../page-guards'
import { pageErrors } from '../page-render'
import { pageSession } from '../web-session'
import { auditPageRoutes } from './audit-routes'
import { deadLettersRoutes } from './dead-letters-routes'
import { disputesRoutes } from './disputes-routes'
import { overviewRoutes } from './overview-routes'
import { payoutsRoutes } from './payouts-routes'
import { pollsRoutes } from './polls-routes'
import { reviewsRoutes } from './reviews-routes'
import { sloPageRoutes } from './slo-routes'
import { usersRoutes } from './users-routes'

const HOME = '/admin'
const LOGIN = `${HOME}/login`

/**
 * The ops console at /admin, server-rendered by this Worker (its stylesheet is public/admin/console.css).
 * In order: settings, the IP blocklist and the body limit as /v1 has them → page headers (CSP:
 * this origin only) → the session cookie, checked as a bearer token is → same-origin forms and
 * their CSRF token on every POST → login and logout → staff only → the rate limits → each page,
 * whose own policy (`requireAccess`, the JSON route's action) decides who may see it and act.
 * A page's actions call the same functions as the JSON routes, audited the same way.
 */
export const adminConsole = () =>
  new Hono<AppEnv>()
    .use(`${HOME}/*`, afterResponse(), loadSettings(), ipBlocklist(), bodyLimit(), pageHeaders(), pageSession(), sameOriginForms())
    .route('/', loginRoutes(HOME))
    .use(`${HOME}/*`, staffOnly(LOGIN), rateLimit())
    .route('/', overviewRoutes)
    .route('/', sloPageRoutes)
    .route('/', reviewsRoutes)
    .route('/', disputesRoutes)
    .route('/', deadLettersRoutes)
    .route('/', auditPageRoutes)
    .route('/', usersRoutes)
    .route('/', payoutsRoutes)
    .route('/', pollsRoutes)
    .all(`${HOME}/*`, () => {
      throw new Problem(404, 'not_found', 'There is no such console page')
    })
    .onError(pageErrors(LOGIN))
