import { Hono, type Context } from 'hono'
import { LoginBody } from '../accounts/account-schemas'
import { endSession, logIn } from '../accounts/login-adapters'
import type { AppEnv } from '../env'
import { Problem } from '../http/problem'
import { rateLimit } from '../http/rate-limit'
import { csrfTokenFor } from './csrf'
import { LoginPage } from './login-page'
import { renderPage } from './page-render'
import { returnPath } from './return-path'
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from './web-session'

/** What a person reads for each way a login fails (the problem codes of POST /v1/auth/login). */
function reasonOf(p: Problem): { error: string; codeRequired?: boolean } {
  switch (p.code) {
    case 'invalid_credentials':
      return { error: 'Wrong e-mail or password.' }
    case 'mfa_required':
      return { error: 'This account has a second factor: enter the current code of your authenticator (or a recovery code).', codeRequired: true }
    case 'account_frozen':
      return { error: 'This account is frozen; contact support.' }
    case 'rate_limited':
      return { error: 'Too many failed logins; wait a few minutes and try again.' }
    default:
      return { error: p.detail ?? p.code }
  }
}

/** What a login form's POST came to: signed in (the cookie is set), or why not, to show on the form again. */
export type FormLogin = { ok: true } | { ok: false; status: 400 | 401 | 403 | 429; email: string; error: string; codeRequired?: boolean }

/**
 * Signs in with a login form's fields (e-mail, password, and a 6-digit code or a recovery code)
 * through the API's own login (accounts/login-adapters.ts), and puts the session into the cookie.
 * Used by the console's and the site's login pages.
 */
export async function logInFromForm(c: Context<AppEnv>, form: Record<string, unknown>): Promise<FormLogin> {
  const email = typeof form.email === 'string' ? form.email.trim() : ''
  const code = typeof form.code === 'string' ? form.code.trim() : ''
  const body = LoginBody.safeParse({ email, password: form.password, ...(code === '' ? {} : /^\d{6}$/.test(code) ? { totp: code } : { recoveryCode: code }) })
  if (!body.success) return { ok: false, status: 400, email, error: 'Enter an e-mail address, a password, and (if asked) a 6-digit code or a recovery code.' }
  try {
    const { token } = await logIn(c, body.data)
    setSessionCookie(c, token, Math.floor(c.var.settings.sessionTtlMs / 1000))
    return { ok: true }
  } catch (err) {
    if (!(err instanceof Problem) || ![401, 403, 429].includes(err.status)) throw err
    for (const [k, v] of Object.entries(err.options.headers ?? {})) c.header(k, v)
    return { ok: false, status: err.status as 401 | 403 | 429, email, ...reasonOf(err) }
  }
}

/**
 * The pages' login and logout at `<home>/login` and `<home>/logout`. Login is the API's own
 * (accounts/login-adapters.ts: failure budgets, decoy hash, second factor, audit), counted
 * against the `auth` quota per address as `POST /v1/auth/login` is; its token goes into the
 * session cookie (web/web-session.ts) and the person goes back where they were going.
 * Mount after `pageSession()` and `sameOriginForms()`.
 */
export const loginRoutes = (home: string) => {
  const loginPath = `${home}/login`
  return new Hono<AppEnv>()
    .get(loginPath, async (c) => {
      const next = returnPath(c.req.query('next'), home)
      if (c.var.principal) return c.redirect(next, 303)
      return renderPage(c, <LoginPage action={loginPath} next={next} />)
    })
    .post(
      loginPath,
      rateLimit(() => 'auth'),
      async (c) => {
        const form = await c.req.parseBody()
        const next = returnPath(form.next, home)
        const session = sessionTokenOf(c)
        const result = await logInFromForm(c, form)
        if (result.ok) return c.redirect(next, 303)
        const { status, email, error, codeRequired } = result
        return renderPage(c, <LoginPage action={loginPath} next={next} email={email} error={error} codeRequired={codeRequired} csrf={session ? await csrfTokenFor(session) : undefined} />, status)
      },
    )
    .post(`${home}/logout`, async (c) => {
      const principal = c.var.principal
      if (principal) await endSession(c, principal)
      clearSessionCookie(c)
      return c.redirect(loginPath, 303)
    })
}
