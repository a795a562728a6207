import type { Context } from 'hono'
import type { AppEnv } from '../../env'
import { Problem } from '../../http/problem'
import { setFlash } from '../flash'

/**
 * A console action: does `work` (the same domain function the JSON route calls, audited the same
 * way), then sends the person back to `back` with what happened as a flash message. A problem
 * the work throws (404, 409 `review_decided`, 403 "you cannot freeze yourself", 503) becomes the
 * flash, as the API would have answered it; anything else is a fault and goes to the error page.
 */
export async function pageAction(c: Context<AppEnv>, back: string, work: () => Promise<string>): Promise<Response> {
  try {
    setFlash(c, { kind: 'ok', text: await work() })
  } catch (err) {
    if (!(err instanceof Problem) || err.status >= 500 && err.status !== 503) throw err
    setFlash(c, { kind: 'error', text: `${err.code}: ${err.detail ?? err.code}` })
  }
  return c.redirect(back, 303)
}

/** A form field as text, or undefined. */
export async function formField(c: Context<AppEnv>, name: string): Promise<string | undefined> {
  const value = (await c.req.parseBody())[name]
  return typeof value === 'string' ? value : undefined
}
