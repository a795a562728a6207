import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser } from '../support/node/browser'
import { baseUrl } from '../support/node/client'

/** Git-ignored (.gitignore: test-results/). */
const screenshots = 'test-results/browser'

describe('/docs in a real browser', () => {
  let browser: Browser
  const consoleErrors: string[] = []
  /** Scalar warns "document validation errors:", then lists each schema it cannot read. */
  const consoleWarnings: string[] = []
  const foreignRequests: string[] = []
  const failedRequests: string[] = []

  /** A fresh page for each visit: going from /docs to /docs#… in one page would not reload it. */
  async function openDocs(hash = ''): Promise<{ page: Page; status: number | undefined; csp: string }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    page.on('console', async (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
      if (m.type() === 'warning') consoleWarnings.push(JSON.stringify(await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '(not serializable)')))).slice(0, 2000))
    })
    page.on('pageerror', (err) => consoleErrors.push(err.message))
    // A request the CSP refuses never reaches the network; Chromium logs it as a console error instead.
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== new URL(baseUrl()).origin && !r.url().startsWith('data:')) foreignRequests.push(r.url())
    })
    page.on('requestfailed', (r) => failedRequests.push(r.url()))
    const res = await page.goto(`${baseUrl()}/docs${hash}`)
    return { page, status: res?.status(), csp: (await res?.allHeaders())?.['content-security-policy'] ?? '' }
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('answers the page under a policy that allows only its own origin', async () => {
    const { status, csp } = await openDocs()

    expect(status).toBe(200)
    expect(csp).toMatch(/^default-src 'none';/)
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("connect-src 'self';")
    expect(csp).not.toMatch(/https?:|\*/)
  })

  it('renders POST /v1/checkout with its headers, request body and responses', async () => {
    const { page } = await openDocs('#tag/checkout/POST/v1/checkout')
    const op = page.locator('[id="api-1/tag/checkout/POST/v1/checkout"]')
    await op.waitFor({ timeout: 20_000 })
    await expect.poll(() => op.innerText(), { timeout: 10_000 }).toContain('Request Example for')

    const text = await op.innerText()
    expect(text).toMatch(/Idempotency-Key[\s\S]*required/)
    expect(text).toMatch(/Body\s+required\s+application\/json/)
    for (const field of ['items', 'paymentMethod', 'shippingAddress']) expect(text).toContain(field)
    expect(text).toMatch(/201\s+Paid/)
    expect(text).toMatch(/402\s+The payment was declined \(payment_declined\)/)
    expect(text).toContain('curl http://')
    await page.screenshot({ path: `${screenshots}/docs-checkout.png` })
  })

  it('lists every problem code, and takes a problem type link to the row that explains it', async () => {
    const problem = (await (await fetch(`${baseUrl()}/v1/me`)).json()) as { type: string; code: string }
    expect(problem.type).toBe(`/docs#problem-${problem.code}`)

    const { page } = await openDocs(problem.type.slice('/docs'.length))
    const row = page.locator(`#problem-${problem.code}`)
    await row.waitFor({ timeout: 20_000 })
    expect(await row.innerText()).toContain('A valid bearer token is required')
    expect(await row.getAttribute('aria-current')).toBe('true')
    const { top, bottom, viewport } = await row.evaluate((el) => ({ ...el.getBoundingClientRect().toJSON(), viewport: window.innerHeight }) as { top: number; bottom: number; viewport: number })
    expect(top).toBeGreaterThan(-1)
    expect(bottom).toBeLessThan(viewport + 1)

    const doc = (await (await fetch(`${baseUrl()}/v1/openapi.json`)).json()) as { 'x-problem-codes': Record<string, string> }
    const shown = await page.locator('td > code').allTextContents()
    expect(Object.keys(doc['x-problem-codes']).length).toBeGreaterThan(50)
    expect(shown).toEqual(expect.arrayContaining(Object.keys(doc['x-problem-codes'])))
  })

  it('sends GET /v1/listings from the page, to this origin, and shows the 200', async () => {
    const { page } = await openDocs('#tag/listings/GET/v1/listings')
    const op = page.locator('[id="api-1/tag/listings/GET/v1/listings"]')
    await op.waitFor({ timeout: 20_000 })
    await op.getByRole('button', { name: /Test Request/ }).click()

    const [res] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/listings', { timeout: 15_000 }),
      page.getByRole('button', { name: /^Send/ }).first().click(),
    ])

    expect(new URL(res.url()).origin).toBe(new URL(baseUrl()).origin)
    expect(res.status()).toBe(200)
    const body = (await res.json()) as { data: unknown[] }
    expect(Array.isArray(body.data)).toBe(true)
    await expect.poll(() => page.getByText('200 OK').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await page.screenshot({ path: `${screenshots}/docs-try-it.png` })
  })

  it('loaded nothing from elsewhere and logged no errors, nor a schema it could not read', () => {
    expect(foreignRequests).toEqual([])
    expect(failedRequests).toEqual([])
    expect(consoleErrors).toEqual([])
    expect(consoleWarnings.join('\n')).not.toContain('document validation')
  })
})
