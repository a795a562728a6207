import type { Context } from 'hono'
import type { AppEnv } from '../../env'
import { toBase64Url } from '../../core/bytes'
import { randomBytes } from '../../platform/runtime'
import { setFlash } from '../flash'
import { problemText, type ApiResult } from './api-call'
import { idempotencyKeyOf } from './form-action'

/**
 * How the /sell and /me pages act: a POST form (same origin, the session's CSRF token, checked by
 * the site's middleware before this runs) calls the JSON API in-process (api-call.ts) with an
 * Idempotency-Key made of the action and the nonce the page drew into the form, then sends the
 * person back with a flash: what was done, or the problem's own words.
 */

/** A fresh nonce for the forms of one drawn page. */
export const formNonce = (): string => toBase64Url(randomBytes(18))

/** The form's fields; a multipart form's repeated fields (photos) as arrays. */
export async function formOf(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const form: Record<string, unknown> = await c.req.parseBody({ all: true })
  return form
}

/** A field as one string ('' when absent or a file). */
export const field = (form: Record<string, unknown>, name: string): string => {
  const v = form[name]
  const one = Array.isArray(v) ? (v as unknown[])[0] : v
  return typeof one === 'string' ? one : ''
}

/** Not signed in: to the login form, coming back to `here` (a GET) or to the page the form was on. */
export function toLogin(c: Context<AppEnv>, here: string): Response {
  return c.redirect(`/login?next=${encodeURIComponent(here)}`, 303)
}

/** The Idempotency-Key of this form's action, or undefined (flash set) when the form has no nonce of ours. */
export function actionKey(c: Context<AppEnv>, form: Record<string, unknown>, action: string): string | undefined {
  const key = idempotencyKeyOf(action, field(form, 'nonce'))
  if (!key) setFlash(c, { kind: 'error', text: 'This form is out of date; it has been drawn again, try once more.' })
  return key
}

/** Back to `back` with the outcome of `result`: `done(body)` when it went through, the problem otherwise. */
export function settle<T>(c: Context<AppEnv>, back: string, result: ApiResult<T>, done: (body: T) => string): Response {
  setFlash(c, result.ok ? { kind: 'ok', text: done(result.body) } : { kind: 'error', text: problemText(result.problem) })
  return c.redirect(back, 303)
}

/** Back to `back` with `text` as an error (the form itself was wrong; the API was not asked). */
export function refuse(c: Context<AppEnv>, back: string, text: string): Response {
  setFlash(c, { kind: 'error', text })
  return c.redirect(back, 303)
}
