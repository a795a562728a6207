import { Hono } from 'hono'
import { endSession } from '../../accounts/login-adapters'
import type { AppEnv } from '../../env'
import { rateLimit } from '../../http/rate-limit'
import { setFlash } from '../flash'
import { logInFromForm } from '../login-routes'
import { frameOf, renderPage } from '../page-render'
import { returnPath } from '../return-path'
import { clearSessionCookie, setSessionCookie } from '../web-session'
import { RegisterPage, SiteLoginPage } from './account-pages'
import { callApi, problemText } from './api-call'

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')

/**
 * Log in, register and log out, for everyone. Login is the API's own (failure budgets, second
 * factor, audit; the `auth` quota per address as `POST /v1/auth/login`), registration is
 * `POST /v1/auth/register` called in-process; either puts the session token into the cookie and
 * sends the person back to `next` (a path on this site, never elsewhere: web/return-path.ts).
 */
export const accountPageRoutes = new Hono<AppEnv>()
  .get('/login', async (c) => {
    const next = returnPath(c.req.query('next'), '/')
    if (c.var.principal) return c.redirect(next, 303)
    return renderPage(c, <SiteLoginPage next={next} {...await frameOf(c)} />)
  })
  .post(
    '/login',
    rateLimit(() => 'auth'),
    async (c) => {
      const form = await c.req.parseBody()
      const next = returnPath(form.next, '/')
      const result = await logInFromForm(c, form)
      if (result.ok) return c.redirect(next, 303)
      const { status, email, error, codeRequired } = result
      return renderPage(c, <SiteLoginPage next={next} email={email} error={error} codeRequired={codeRequired} {...await frameOf(c)} />, status)
    },
  )
  .get('/register', async (c) => {
    const next = returnPath(c.req.query('next'), '/')
    if (c.var.principal) return c.redirect(next, 303)
    return renderPage(c, <RegisterPage next={next} {...await frameOf(c)} />)
  })
  .post('/register', async (c) => {
    const form = await c.req.parseBody()
    const next = returnPath(form.next, '/')
    const email = text(form.email)
    const displayName = text(form.displayName)
    const password = typeof form.password === 'string' ? form.password : ''
    const res = await callApi<{ token: string; user: { displayName: string } }>(c, 'POST', '/auth/register', { json: { email, password, displayName } })
    if (!res.ok) {
      for (const name of ['retry-after', 'ratelimit', 'ratelimit-policy']) {
        const value = res.headers.get(name)
        if (value) c.header(name, value)
      }
      const error = res.problem.code === 'email_taken' ? 'An account with this e-mail already exists; log in instead.' : problemText(res.problem)
      const status = ([400, 403, 409, 429] as const).find((s) => s === res.status) ?? 400
      return renderPage(c, <RegisterPage next={next} email={email} displayName={displayName} error={error} {...await frameOf(c)} />, status)
    }
    setSessionCookie(c, res.body.token, Math.floor(c.var.settings.sessionTtlMs / 1000))
    setFlash(c, { kind: 'ok', text: `Welcome to Souk, ${res.body.user.displayName}.` })
    return c.redirect(next, 303)
  })
  .post('/logout', async (c) => {
    const principal = c.var.principal
    if (principal) await endSession(c, principal)
    clearSessionCookie(c)
    return c.redirect('/', 303)
  })
