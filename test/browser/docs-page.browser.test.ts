import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser } from '../support/node/browser'
import { baseUrl } from '../support/node/client'

describe('/docs in a real browser', () => {
  let browser: Browser
  let page: Page
  const consoleErrors: string[] = []
  const foreignRequests: string[] = []

  beforeAll(async () => {
    browser = await launchBrowser()
    page = await browser.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
    page.on('request', (r) => {
      if (!r.url().startsWith(baseUrl())) foreignRequests.push(r.url())
    })
    const res = await page.goto(`${baseUrl()}/docs`)
    expect(res?.status()).toBe(200)
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('shows every operation of the served OpenAPI document, grouped by tag', async () => {
    const doc = (await (await fetch(`${baseUrl()}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> }
    const expected = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m}-${path}`))
    const shown = await page.locator('details.op').evaluateAll((els) => els.map((e) => e.id))
    expect(shown.sort()).toEqual(expected.sort())
    expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(['Accounts', 'API keys', 'Operations', 'Problem codes']))
  })

  it('opens an operation to show its parameters, body and responses', async () => {
    const op = page.locator('details[id="post-/v1/api-keys"]')
    await expect.poll(() => op.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(false)
    await op.locator('summary').click()
    await expect.poll(() => op.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true)
    const text = await op.innerText()
    expect(text).toContain('Idempotency-Key')
    expect(text).toContain('"scopes"')
    expect(text).toMatch(/201\s+Created/)
  })

  it('takes a problem type link to the row that explains the code', async () => {
    const problem = (await (await fetch(`${baseUrl()}/v1/me`)).json()) as { type: string; code: string }
    await page.goto(new URL(problem.type, baseUrl()).toString())
    const row = page.locator(`#problem-${problem.code}`)
    expect(await row.innerText()).toContain('A valid bearer token is required')
    expect(await row.evaluate((el) => el.matches(':target'))).toBe(true)
    const { top, bottom, viewport } = await row.evaluate((el) => ({ ...el.getBoundingClientRect().toJSON(), viewport: window.innerHeight }) as { top: number; bottom: number; viewport: number })
    // Scrolled into view, to the pixel: layout may land the row a fraction of a pixel off.
    expect(top).toBeGreaterThan(-1)
    expect(bottom).toBeLessThan(viewport + 1)
  })

  it('loads nothing from elsewhere and logs no errors', () => {
    expect(foreignRequests).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
