import { Hono } from 'hono'
import { html } from 'hono/html'
import type { AppEnv } from '../env'
import { DocsPage } from './docs-page'

/**
 * Only this origin: the reference's bundle, its document and "Test Request" calls. Scalar sets
 * styles from script (hence 'unsafe-inline' for styles only) and draws icons as data: images.
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** `/docs`: the API reference page over the OpenAPI document served at /v1/openapi.json. */
export const docsRoutes = (document: () => { info: { title: string } }) =>
  new Hono<AppEnv>().get('/docs', (c) => {
    c.header('Content-Security-Policy', contentSecurityPolicy)
    return c.html(html`<!doctype html>${<DocsPage title={document().info.title} />}`)
  })
