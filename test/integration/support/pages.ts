import { expect } from 'vitest'
import { BASE, call as callApi, PASSWORD, type Registered } from './api'

/** Helpers for the console's pages (web/): log in through the form, send the session cookie, read a page's form token. */

export const SESSION_COOKIE = '__Host-souk_session'
export const sameOrigin = { origin: BASE, 'sec-fetch-site': 'same-origin' }

/** Redirects are answers here, not something to follow. */
export const call = (path: string, init: Parameters<typeof callApi>[1] = {}) => callApi(path, { redirect: 'manual', ...init })

export function form(fields: Record<string, string>): { body: string; headers: Record<string, string> } {
  return { body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
}

/** Logs in through the login form; the session cookie's value. */
export async function logInToConsole(who: Registered, next = '/admin/users'): Promise<string> {
  const f = form({ email: who.user.email, password: PASSWORD, next })
  const res = await call('/admin/login', { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe(next)
  const value = new RegExp(`${SESSION_COOKIE}=(st_[A-Za-z0-9_-]+)`).exec(res.headers.get('set-cookie') ?? '')?.[1]
  expect(value).toBeDefined()
  return value!
}

/** A page request carrying the session cookie (and any other cookies given). */
export const page = (path: string, session: string, init: RequestInit = {}, cookies = '') =>
  call(path, { ...init, headers: { ...(init.headers as Record<string, string>), cookie: `${SESSION_COOKIE}=${session}${cookies ? `; ${cookies}` : ''}` } })

/** Posts a form from the console itself, with the session's form token. */
export async function postForm(path: string, session: string, fields: Record<string, string> = {}): Promise<Response> {
  const f = form({ csrf: await csrfOf(session), ...fields })
  return page(path, session, { method: 'POST', body: f.body, headers: { ...f.headers, ...sameOrigin } })
}

/** The form token a page hands its forms. */
export async function csrfOf(session: string): Promise<string> {
  const html = await (await page('/admin/users', session)).text()
  const token = /name="csrf" value="([0-9a-f]{64})"/.exec(html)?.[1]
  expect(token).toBeDefined()
  return token!
}

/** The flash an action left, as the cookie to send back with the next page. */
export const flashCookie = (res: Response): string => `souk_flash=${/souk_flash=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? ''}`
