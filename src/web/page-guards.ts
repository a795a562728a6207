import { createMiddleware } from 'hono/factory'
import { isStaff } from '../accounts/scopes'
import type { AppEnv } from '../env'
import { Problem } from '../http/problem'
import { crossSiteRefusal, csrfTokenMatches } from './csrf'
import { sessionTokenOf } from './web-session'

/**
 * Everything the pages load comes from this origin: their stylesheet, their forms' targets. No
 * inline script or style is allowed (charts are inline SVG, which is markup); nothing may frame
 * them; nothing is cached, as they show people's data.
 */
export const pageContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

export const pageHeaders = () =>
  createMiddleware<AppEnv>(async function pageHeaders(c, next) {
    await next()
    c.res.headers.set('Content-Security-Policy', pageContentSecurityPolicy)
    c.res.headers.set('Cache-Control', 'no-store')
    c.res.headers.set('Referrer-Policy', 'same-origin')
    c.res.headers.set('X-Content-Type-Options', 'nosniff')
  })

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Every state-changing page request must come from this origin (Origin / Sec-Fetch-Site, web/csrf.ts)
 * and, when it rides on a session, carry that session's CSRF token in its form. Refused: 403,
 * before any handler runs, so nothing changes.
 */
export const sameOriginForms = () =>
  createMiddleware<AppEnv>(async function sameOriginForms(c, next) {
    if (safeMethods.has(c.req.method)) return next()
    const refusal = crossSiteRefusal({ origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') }, new URL(c.req.url).origin)
    if (refusal) throw new Problem(403, 'forbidden', `Cross-site request refused: ${refusal}`)
    const session = sessionTokenOf(c)
    if (session !== undefined) {
      const type = c.req.header('content-type') ?? ''
      const form = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type) ? await c.req.parseBody() : {}
      if (!(await csrfTokenMatches(session, form.csrf))) throw new Problem(403, 'forbidden', 'The form’s CSRF token is missing or not this session’s; reload the page and try again')
    }
    await next()
  })

/** Console pages are for staff: no session goes to the login form, anyone else is refused. */
export const staffOnly = (loginPath: string) =>
  createMiddleware<AppEnv>(async function staffOnly(c, next) {
    const principal = c.var.principal
    if (!principal) {
      const next_ = c.req.method === 'GET' ? `?next=${encodeURIComponent(new URL(c.req.url).pathname)}` : ''
      return c.redirect(`${loginPath}${next_}`, 303)
    }
    if (!isStaff(principal.role)) throw new Problem(403, 'forbidden', 'Not allowed: the console is for staff')
    await next()
  })
