import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../../src/env'
import { referenceBundle, referenceConfiguration } from '../../../src/web/docs-page'
import { docsRoutes } from '../../../src/web/docs-routes'

async function renderDocs(title = 'Souk API'): Promise<{ res: Response; html: string }> {
  const app = new Hono<AppEnv>().route('/', docsRoutes(() => ({ info: { title } })))
  const res = await app.request('/docs')
  return { res, html: await res.text() }
}

const attribute = (html: string, name: string): string => {
  const value = new RegExp(`${name}="([^"]*)"`).exec(html)?.[1] ?? ''
  return value.replaceAll('&quot;', '"').replaceAll('&amp;', '&')
}

describe('GET /docs', () => {
  it('answers HTML under a Content-Security-Policy that allows only this origin', async () => {
    const { res } = await renderDocs()

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/^default-src 'none'; /)
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("connect-src 'self';")
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/)
    expect(csp).not.toMatch(/https?:|\*/)
  })

  it('loads the reference bundle and the anchor script from this origin, and has no inline script', async () => {
    const { html } = await renderDocs()

    const sources = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1])
    expect(sources).toEqual([referenceBundle, '/docs/problem-anchor.js'])
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => (m[2] ?? '').trim() !== '')
    expect(inline).toEqual([])
    expect(html).not.toMatch(/https?:\/\//)
  })

  it('points the reference at the served document, with fonts, telemetry, agent, proxy and client button off', async () => {
    const { html } = await renderDocs()

    expect(html).toContain('<script id="api-reference" data-configuration=')
    const configuration = JSON.parse(attribute(html, 'data-configuration')) as Record<string, unknown>
    expect(configuration).toEqual(referenceConfiguration)
    expect(configuration).toMatchObject({
      url: '/v1/openapi.json',
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      hideClientButton: true,
    })
    expect(configuration).not.toHaveProperty('proxyUrl')
  })

  it('escapes the title', async () => {
    const { html } = await renderDocs('Souk <img src=x onerror=alert(1)>')

    expect(html).toContain('<title>Souk &lt;img src=x onerror=alert(1)&gt; — reference</title>')
    expect(html).not.toContain('<img')
  })
})
