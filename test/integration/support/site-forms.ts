import { expect } from 'vitest'
import { call as apiCall, json } from './api'
import { flashCookie, form, page, sameOrigin } from './pages'

/** Helpers for the site's /sell and /me pages: draw a page, read its forms' CSRF token and nonce, post its forms, read the flash. */

export type Drawn = { html: string; csrf: string; nonce: string }

/** A page as its signed-in person sees it, with the token and nonce its forms carry. */
export async function draw(path: string, session: string): Promise<Drawn> {
  const res = await page(path, session)
  expect(res.status, path).toBe(200)
  const html = await res.text()
  const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(html)?.[1]
  const nonce = /name="nonce" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1]
  expect(csrf, `${path}: csrf`).toBeDefined()
  expect(nonce, `${path}: nonce`).toBeDefined()
  return { html, csrf: csrf!, nonce: nonce! }
}

/** Posts a form from a drawn page: its token and nonce unless `fields` says otherwise. */
export function submit(path: string, session: string, drawn: Pick<Drawn, 'csrf' | 'nonce'>, fields: Record<string, string> = {}, headers: Record<string, string> = sameOrigin): Promise<Response> {
  const f = form({ csrf: drawn.csrf, nonce: drawn.nonce, ...fields })
  return page(path, session, { method: 'POST', body: f.body, headers: { ...f.headers, ...headers } })
}

/** Posts a multipart form (files) from a drawn page. */
export function submitMultipart(path: string, session: string, body: FormData): Promise<Response> {
  return page(path, session, { method: 'POST', body, headers: { ...sameOrigin } })
}

/** The flash an action left, read on the page it went back to. */
export async function flashAfter(res: Response, session: string): Promise<string> {
  expect(res.status).toBe(303)
  const html = await (await page(res.headers.get('location') ?? '/', session, {}, flashCookie(res))).text()
  const flash = /<p class="flash (ok|error)"[^>]*>([^<]*)<\/p>/.exec(html)
  expect(flash, 'a flash message').not.toBeNull()
  return `${flash![1]}: ${decodeEntities(flash![2]!)}`
}

export const decodeEntities = (s: string): string => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')

/** A 1×1 PNG. */
export const PNG_1x1 = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (ch) => ch.charCodeAt(0))

/** An order's status as its buyer reads it through the API. */
export const orderStatus = async (token: string, id: string): Promise<string> => (await json<{ status: string }>(await apiCall(`/v1/orders/${id}`, { token }))).status
