import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { problemCodes } from '../../../src/http/problem-codes'
import type { DocsDocument } from '../../../src/web/docs-page'
import { docsRoutes } from '../../../src/web/docs-routes'

const hostileSummary = '<script>alert("owned")</script> Remove a listing'
const hostileTag = 'Trading" onmouseover="alert(1)'

const document: DocsDocument = {
  info: { title: 'Souk API', version: '1', description: 'Test document. <img src=x onerror=alert(1)>' },
  paths: {
    '/v1/listings': {
      get: { summary: 'Browse listings', tags: ['Listings'], responses: { '200': { description: 'A page of listings' } } },
      post: {
        summary: 'Create a listing',
        tags: ['Listings'],
        security: [{ bearer: [] }],
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Makes a retry safe' }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { title: { type: 'string' } } } } } },
        responses: { '201': { description: 'Created' }, '400': { description: 'Invalid request' } },
      },
    },
    '/v1/listings/{id}': {
      delete: { summary: hostileSummary, tags: [hostileTag], security: [{ bearer: [] }], responses: { '204': { description: 'Gone' } } },
      patch: { summary: 'Edit a listing', responses: { '200': { description: 'Edited' } } },
    },
    '/health': { get: { summary: 'Liveness', tags: ['Ops'], responses: { '200': { description: 'Up' } } } },
  },
}

const operations = [
  ['get', '/v1/listings', 'Browse listings'],
  ['post', '/v1/listings', 'Create a listing'],
  ['patch', '/v1/listings/{id}', 'Edit a listing'],
  ['get', '/health', 'Liveness'],
] as const

async function renderDocs(): Promise<{ res: Response; html: string }> {
  const app = new Hono<AppEnv>().route('/', docsRoutes(() => document))
  const res = await app.request('/docs')
  return { res, html: await res.text() }
}

describe('GET /docs', () => {
  it('answers HTML under a Content-Security-Policy that allows nothing by default', async () => {
    const { res } = await renderDocs()

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/^default-src 'none'(;|$)/)
    expect(csp).not.toMatch(/script-src/)
  })

  it.each(operations)('lists %s %s with its summary', async (method, path, summary) => {
    const { html } = await renderDocs()

    expect(html).toContain(`<span class="method ${method}">${method}</span> <code>${path}</code> ${summary}`)
  })

  it('lists an operation once for each method of each path', async () => {
    const { html } = await renderDocs()

    expect(html.match(/<details class="op"/g)).toHaveLength(5)
  })

  it('shows parameters, the JSON body schema and the responses of an operation', async () => {
    const { html } = await renderDocs()

    expect(html).toContain('<td><code>Idempotency-Key</code></td><td>header</td><td>no</td><td>Makes a retry safe</td>')
    expect(html).toMatch(/<pre>\{\s*&quot;type&quot;: &quot;object&quot;/)
    expect(html).toContain('<li><code>201</code> Created</li>')
    expect(html.match(/needs a bearer token/g)).toHaveLength(2)
  })

  it('inlines component schema references in a body, and stops at a reference to itself', async () => {
    const withRefs: DocsDocument = {
      info: { title: 'Souk API', version: '1' },
      paths: {
        '/v1/categories': {
          post: {
            summary: 'Create a category',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Category' } } } },
          },
        },
      },
      components: {
        schemas: {
          Category: {
            type: 'object',
            properties: { label: { type: 'string', maxLength: 40 }, parent: { $ref: '#/components/schemas/Category' } },
          },
        },
      },
    }
    const app = new Hono<AppEnv>().route('/', docsRoutes(() => withRefs))

    const html = await (await app.request('/docs')).text()

    expect(html).toContain('&quot;maxLength&quot;: 40')
    expect(html).toContain('&quot;$ref&quot;: &quot;#/components/schemas/Category&quot;')
  })

  it('groups operations without a tag under Other', async () => {
    const { html } = await renderDocs()

    expect(html).toMatch(/<section id="tag-Other"><h2>Other<\/h2><details class="op" id="patch-\/v1\/listings\/\{id\}">/)
  })

  it.each(problemCodes)('has the anchor #problem-%s that problem types link to', async (code) => {
    const { html } = await renderDocs()

    expect(html).toContain(`id="problem-${code}"`)
  })

  it('has no script and loads nothing from another origin', async () => {
    const { html } = await renderDocs()

    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/https?:\/\//i)
    const links = [...html.matchAll(/\s(?:href|src|action)="([^"]*)"/gi)].map((m) => m[1] ?? '')
    expect(links.length).toBeGreaterThan(0)
    for (const link of links) expect(link).toMatch(/^(#|\/(?!\/))/)
  })

  it('escapes HTML in summaries, tags and descriptions', async () => {
    const { html } = await renderDocs()

    expect(html).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Remove a listing')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('" onmouseover="')
  })
})
