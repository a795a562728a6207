import { mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wrangler } from '../../scripts/local-d1.ts'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { launchBrowser } from '../support/node/browser'

/** Git-ignored (.gitignore: test-results/). */
const screenshots = 'test-results/browser'

/** The demo staff account `npm start` seeds (README "Demo accounts"). */
const ADMIN = { email: 'admin@souk.test', password: 'souk-admin-dev-only' }
const PASSWORD = 'correct horse battery staple'
const TRAFFIC = 40

/**
 * The ops console in Chromium, against a Souk of its own (as `npm start` runs it, plus one dead
 * letter written before it starts: no request makes a queue give up on a message), so the traffic
 * the SLO page draws is this test's: log in as staff, see the charts drawn from requests made
 * here, replay the dead letter, freeze a user, be refused as a non-staff user, log out.
 */
describe('the ops console in a real browser', () => {
  let souk: { url: string; stop: () => Promise<void> }
  let browser: Browser
  const deadLetter = `dl_${randomBytes(8).toString('hex')}`
  const consoleErrors: string[] = []
  const foreignRequests: string[] = []

  const api = (path: string, init: { method?: string; token?: string; json?: unknown } = {}) =>
    fetch(`${souk.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json ? { 'content-type': 'application/json' } : {}) },
      body: init.json ? JSON.stringify(init.json) : undefined,
    })

  async function registered(label: string): Promise<{ id: string; email: string; token: string }> {
    const email = `${label}-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`
    const res = await api('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: label } })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { token: string; user: { id: string } }
    return { id: body.user.id, email, token: body.token }
  }

  /** `refusals`: the page is expected to be answered 403, which Chromium reports as a console error. */
  async function newContext(refusals = false): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error' && !(refusals && /status of 403/.test(m.text()))) consoleErrors.push(m.text())
    })
    page.on('pageerror', (err) => consoleErrors.push(err.message))
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== souk.url && !r.url().startsWith('data:')) foreignRequests.push(r.url())
    })
    return { context, page }
  }

  async function logIn(page: Page, who: { email: string; password: string }): Promise<number | undefined> {
    await page.goto(`${souk.url}/admin`)
    expect(new URL(page.url()).pathname).toBe('/admin/login')
    await page.fill('input[name=email]', who.email)
    await page.fill('input[name=password]', who.password)
    const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')])
    return res?.status()
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    const letter = `INSERT INTO dead_letters (id, queue, body, attempts, received_at) VALUES ('${deadLetter}', 'souk-webhooks', '{"messageId":"whm_01jd3v6w2k8m4n5p6q7r8s9t0v"}', 6, '${new Date().toISOString()}')`
    souk = await startLocalSouk({ LOG_LEVEL: 'warn' }, (dir) => Promise.resolve(wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', dir, '--command', letter])))
    browser = await launchBrowser()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await souk?.stop()
  })

  it('refuses a non-staff login with a 403 page', async () => {
    const user = await registered('shopper')
    const { context, page } = await newContext(true)
    expect(await logIn(page, { email: user.email, password: PASSWORD })).toBe(403)
    expect(await page.locator('main').innerText()).toContain('the console is for staff')
    await page.screenshot({ path: `${screenshots}/admin-forbidden.png` })
    await context.close()
  })

  describe('as staff', () => {
    let context: BrowserContext
    let page: Page

    beforeAll(async () => {
      ;({ context, page } = await newContext())
      expect(await logIn(page, ADMIN)).toBe(200)
    })

    afterAll(async () => {
      await context.close()
    })

    it('logs in with a session cookie no script can read, under a policy that allows only this origin', async () => {
      const [cookie] = await context.cookies(souk.url)
      expect(cookie).toMatchObject({ name: 'souk_session', httpOnly: true, sameSite: 'Strict', path: '/' })
      // A string, not a function: this file is type-checked without the DOM's types (tsconfig.node.json).
      expect(await page.evaluate('document.cookie')).not.toContain('st_')
      const res = await page.goto(`${souk.url}/admin`)
      expect(res?.status()).toBe(200)
      const csp = (await res?.allHeaders())?.['content-security-policy'] ?? ''
      expect(csp).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self';/)
      expect(csp).not.toMatch(/https?:|\*/)
      expect(await page.locator('#alert-summary').innerText()).toMatch(/alert/)
      await page.screenshot({ path: `${screenshots}/admin-overview.png`, fullPage: true })
    })

    it('draws the SLO charts from the traffic made here', async () => {
      const user = await registered('traffic')
      const made = await Promise.all(Array.from({ length: TRAFFIC }, () => api('/v1/me', { token: user.token })))
      expect(made.every((r) => r.status === 200)).toBe(true)

      await page.goto(`${souk.url}/admin/slo?hours=1`)
      const total = Number(await page.locator('#requests-total').getAttribute('data-total'))
      // This Souk's requests: the traffic, the registration, and the console's own pages (a few dozen at most).
      expect(total).toBeGreaterThanOrEqual(TRAFFIC + 1)
      expect(total).toBeLessThan(TRAFFIC + 60)

      const line = page.locator('#chart-requests path[data-series="requests"]')
      expect(Number(await line.getAttribute('data-points'))).toBeGreaterThan(1)
      const ys = [...((await line.getAttribute('d')) ?? '').matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]))
      expect(ys.length).toBeGreaterThan(1)
      // Not flat on the baseline: the step with the traffic stands above the empty ones.
      expect(Math.min(...ys)).toBeLessThan(Math.max(...ys))
      const p99 = page.locator('#chart-latency path[data-series="p99"]')
      expect(Number(await p99.getAttribute('data-points'))).toBeGreaterThanOrEqual(1)
      expect(await page.locator('#routes').innerText()).toContain('GET /v1/me')
      expect(await page.locator('#objectives tbody tr').count()).toBeGreaterThan(0)
      await page.screenshot({ path: `${screenshots}/admin-slo.png`, fullPage: true })
    })

    it('replays a dead letter, which leaves the list', async () => {
      await page.goto(`${souk.url}/admin/dead-letters`)
      const row = page.locator(`tr[id="${deadLetter}"]`)
      expect(await row.count()).toBe(1)
      await page.screenshot({ path: `${screenshots}/admin-dead-letters.png`, fullPage: true })
      await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: 'Replay' }).click()])
      expect(await page.locator('.flash.ok').innerText()).toContain(`Replayed ${deadLetter} to souk-webhooks`)
      expect(await page.locator(`tr[id="${deadLetter}"]`).count()).toBe(0)
      await page.goto(`${souk.url}/admin/dead-letters?show=all`)
      expect(await page.locator(`tr[id="${deadLetter}"]`).innerText()).toMatch(/UTC/)
    })

    it('freezes a user found by e-mail; the user’s API calls are refused from then on', async () => {
      const user = await registered('fraudster')
      expect((await api('/v1/me', { token: user.token })).status).toBe(200)
      await page.goto(`${souk.url}/admin/users`)
      await page.fill('input[name=q]', user.email)
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("Look up")')])
      expect(await page.locator('#user .standing').innerText()).toBe('active')
      await Promise.all([page.waitForNavigation(), page.click('#user button:has-text("Freeze")')])
      expect(await page.locator('.flash.ok').innerText()).toContain(`Froze ${user.id}`)
      expect(await page.locator('#user .standing').innerText()).toBe('frozen')
      await page.screenshot({ path: `${screenshots}/admin-users-frozen.png`, fullPage: true })

      // Its sessions ended with the freeze, and it cannot get a new one.
      expect((await api('/v1/me', { token: user.token })).status).toBe(401)
      const login = await api('/v1/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })
      expect(login.status).toBe(403)
      expect(((await login.json()) as { code: string }).code).toBe('account_frozen')
    })

    it('shows the review queue, disputes, the audit log with its verification, and payouts', async () => {
      for (const [path, name] of [['/admin/reviews', 'reviews'], ['/admin/disputes', 'disputes'], ['/admin/payouts', 'payouts']] as const) {
        const res = await page.goto(`${souk.url}${path}`)
        expect(res?.status(), path).toBe(200)
        await page.screenshot({ path: `${screenshots}/admin-${name}.png`, fullPage: true })
      }
      await page.goto(`${souk.url}/admin/audit`)
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("Verify the chain")')])
      expect(await page.locator('#verification').innerText()).toMatch(/^The chain holds: \d+ entries/)
      expect(await page.locator('main table').innerText()).toContain('account.frozen')
      await page.screenshot({ path: `${screenshots}/admin-audit.png`, fullPage: true })
    })

    it('logs out: the session ends, and the console asks for a login again', async () => {
      const [cookie] = await context.cookies(souk.url)
      await Promise.all([page.waitForNavigation(), page.click('header button:has-text("Log out")')])
      expect(new URL(page.url()).pathname).toBe('/admin/login')
      expect(await context.cookies(souk.url)).toEqual([])
      await page.goto(`${souk.url}/admin/users`)
      expect(new URL(page.url()).pathname).toBe('/admin/login')
      expect((await api('/v1/me', { token: cookie!.value })).status).toBe(401)
      await page.screenshot({ path: `${screenshots}/admin-login.png` })
    })
  })

  it('loaded nothing from elsewhere and logged no errors', () => {
    expect(foreignRequests).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
