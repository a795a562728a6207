import type { Context, ErrorHandler } from 'hono'
import { html } from 'hono/html'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { JSX } from 'hono/jsx/jsx-runtime'
import type { AppEnv } from '../env'
import { Problem } from '../http/problem'
import { isTransient } from '../core/transient-error'
import { AdminLayout, type PageFrame } from './admin/admin-layout'
import { csrfTokenFor } from './csrf'
import { takeFlash } from './flash'
import { sessionTokenOf } from './web-session'

/** A whole page, with its doctype. */
export function renderPage(c: Context<AppEnv>, page: JSX.Element, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(html`<!doctype html>${page}`, status)
}

/** The request's frame: who is signed in, their form token, and the flash the last action left. */
export async function frameOf(c: Context<AppEnv>): Promise<PageFrame> {
  const session = sessionTokenOf(c)
  return { principal: c.var.principal, csrf: session && c.var.principal ? await csrfTokenFor(session) : undefined, flash: takeFlash(c) }
}

const titles: Partial<Record<number, string>> = { 403: 'Not allowed', 404: 'Not found', 413: 'Too large', 429: 'Too many requests', 503: 'Unavailable' }

/** How a set of pages draws its error page. */
export type ErrorPage = (props: PageFrame & { title: string; detail: string }) => JSX.Element

const consoleErrorPage: ErrorPage = ({ title, detail, ...frame }) => (
  <AdminLayout title={title} {...frame}>
    <p class="error-detail">{detail}</p>
    <p>
      <a href="/admin">Back to the console</a>
    </p>
  </AdminLayout>
)

/**
 * The pages' error handler: a problem becomes a small page saying what went wrong (a 401 goes to
 * the login form instead), drawn by `errorPage` (the console's by default); anything else is
 * logged with its stack and shown as a bare 500 with the request id, as the API does.
 */
export const pageErrors =
  (loginPath: string, errorPage: ErrorPage = consoleErrorPage): ErrorHandler<AppEnv> =>
  async (err, c) => {
    if (err instanceof Problem && err.status === 401) return c.redirect(loginPath, 303)
    let status: ContentfulStatusCode = 500
    let detail = `Something went wrong (request ${c.var.requestId}).`
    if (err instanceof Problem) {
      status = err.status
      detail = err.detail ?? err.code
      for (const [k, v] of Object.entries(err.options.headers ?? {})) c.header(k, v)
    } else if (isTransient(err)) {
      status = 503
      detail = 'A part of Souk is busy; try again in a moment.'
      c.header('Retry-After', '1')
    } else {
      c.var.log?.error('unhandled_error', { err })
    }
    const frame = await frameOf(c).catch(() => ({}))
    return renderPage(c, errorPage({ title: titles[status] ?? 'Error', detail, ...frame }), status)
  }
