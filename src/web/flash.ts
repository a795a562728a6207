import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../env'
import { isLocalPlainHttp } from './web-session'

/**
 * The one-line message a page shows after an action redirected back to it ("Replayed dl_…",
 * "Not allowed: …"): kept for a minute in a cookie of its own, read once and cleared. A cookie,
 * not a query parameter, so a link from elsewhere cannot make a page say something.
 */
export type Flash = { kind: 'ok' | 'error'; text: string }

const COOKIE = 'souk_flash'
const MAX_TEXT = 300

export function setFlash(c: Context<AppEnv>, flash: Flash): void {
  // setCookie encodes the value and getCookie decodes it.
  const value = JSON.stringify({ kind: flash.kind, text: flash.text.slice(0, MAX_TEXT) })
  setCookie(c, COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Strict', secure: !isLocalPlainHttp(c.req.url), maxAge: 60 })
}

/** The flash set by the last action, if any; it is shown once. */
export function takeFlash(c: Context<AppEnv>): Flash | undefined {
  const raw = getCookie(c, COOKIE)
  if (raw === undefined) return undefined
  deleteCookie(c, COOKIE, { path: '/', secure: !isLocalPlainHttp(c.req.url) })
  try {
    const value: unknown = JSON.parse(raw)
    if (typeof value !== 'object' || value === null || !('kind' in value) || !('text' in value)) return undefined
    const { kind, text } = value
    return (kind === 'ok' || kind === 'error') && typeof text === 'string' ? { kind, text: text.slice(0, MAX_TEXT) } : undefined
  } catch {
    return undefined // not ours (hand-edited): show nothing
  }
}
