import { Hono } from 'hono'
import { html } from 'hono/html'
import type { AppEnv } from '../env'
import { DocsPage, type DocsDocument } from './docs-page'

/** `/docs`: the reference page, rendered from the OpenAPI document. */
export const docsRoutes = (document: () => DocsDocument) =>
  new Hono<AppEnv>().get('/docs', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
    return c.html(html`<!doctype html>${<DocsPage doc={document()} />}`)
  })
