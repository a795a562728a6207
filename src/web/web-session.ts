import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { parseBearer } from '../accounts/credentials'
import type { AppEnv } from '../env'
import { resolveBearer } from '../http/authenticate'
import { clientIpSubject } from '../http/client-ip'
import { chargeQuota } from '../http/rate-limit'

/**
 * A person's session in the pages: the same session token `POST /v1/auth/login` hands out, kept
 * in a cookie the pages' scripts cannot read (`HttpOnly; SameSite=Strict; Path=/; Secure`), and
 * checked exactly as a bearer token is (this isolate's cache for at most CREDENTIAL_CACHE_MS,
 * else the user's account object; `fresh` actions ask the account every time). Over https the
 * cookie is `__Host-` prefixed (no Domain, Secure, Path=/), so no subdomain can plant or read it.
 */

const COOKIE = 'souk_session'

/** Plain http is only for this machine (`npm start`); anywhere else the cookie is Secure. */
export function isLocalPlainHttp(url: string): boolean {
  const u = new URL(url)
  return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)
}

const prefixFor = (c: Context<AppEnv>) => (isLocalPlainHttp(c.req.url) ? undefined : ('host' as const))

/** The session token the request's cookie carries, if it is one (API keys never ride in a cookie). */
export function sessionTokenOf(c: Context<AppEnv>): string | undefined {
  const token = getCookie(c, COOKIE, prefixFor(c))
  const bearer = token ? parseBearer(`Bearer ${token}`) : undefined
  return bearer?.kind === 'session' ? bearer.token : undefined
}

export function setSessionCookie(c: Context<AppEnv>, token: string, maxAgeSeconds: number): void {
  const prefix = prefixFor(c)
  setCookie(c, COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Strict', secure: prefix === 'host', maxAge: maxAgeSeconds, ...(prefix ? { prefix } : {}) })
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  const prefix = prefixFor(c)
  deleteCookie(c, COOKIE, { path: '/', secure: prefix === 'host', ...(prefix ? { prefix } : {}) })
}

/**
 * Resolves the session cookie to `c.var.principal` (and `c.var.credential`), as `authenticate`
 * does a bearer token. No cookie: anonymous. A cookie its account refuses (expired, revoked,
 * frozen, made up) is cleared and costs the address a unit of the `auth` quota, as a bad bearer
 * token does, so guessing cookies is as slow as guessing passwords.
 */
export const pageSession = () =>
  createMiddleware<AppEnv>(async function pageSession(c, next) {
    const token = sessionTokenOf(c)
    const bearer = token ? parseBearer(`Bearer ${token}`) : undefined
    if (bearer && !(await resolveBearer(c, bearer))) {
      clearSessionCookie(c)
      await chargeQuota(c, 'auth', await clientIpSubject(c))
    }
    await next()
  })
