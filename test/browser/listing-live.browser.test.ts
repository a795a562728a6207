import { mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { launchBrowser } from '../support/node/browser'

/** Git-ignored (.gitignore: test-results/). */
const screenshots = 'test-results/browser'
const PASSWORD = 'correct horse battery staple'

type Money = { amount: number; currency: string }
type Listing = { id: string; version: number; bidCount: number; currentPrice: Money }

const dollars = (m: Money) => new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency, minimumFractionDigits: 2 }).format(m.amount / 100)

/**
 * An auction watched live from two browsers, against a Souk of its own (as `npm start` runs it):
 * two people log in through the site's form and bid against each other on one listing's page;
 * each sees the other's bid arrive over the listing's WebSocket (the latency is printed), and a
 * page whose socket was cut catches up on reconnecting with `since`. Screenshots of the front
 * page, the listing, the login and the registration pages.
 */
describe('a live auction in two browsers', () => {
  let souk: { url: string; stop: () => Promise<void> }
  let browser: Browser
  const consoleErrors: string[] = []
  const foreignRequests: string[] = []

  const api = async <T,>(path: string, init: { method?: string; token?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${souk.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json ? { 'content-type': 'application/json' } : {}) },
      body: init.json ? JSON.stringify(init.json) : undefined,
    })
    return { status: res.status, body: (await res.json()) as T }
  }

  async function registered(label: string): Promise<{ id: string; email: string; token: string }> {
    const email = `${label}-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`
    const res = await api<{ token: string; user: { id: string } }>('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName: label } })
    expect(res.status).toBe(201)
    return { id: res.body.user.id, email, token: res.body.token }
  }

  async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
    page.on('pageerror', (err) => consoleErrors.push(err.message))
    page.on('request', (r) => {
      const url = new URL(r.url())
      if (url.origin !== souk.url && url.origin !== souk.url.replace('http:', 'ws:') && !r.url().startsWith('data:')) foreignRequests.push(r.url())
    })
    return { context, page }
  }

  async function logIn(page: Page, who: { email: string }, next: string): Promise<void> {
    await page.goto(`${souk.url}/login?next=${encodeURIComponent(next)}`)
    await page.fill('input[name=email]', who.email)
    await page.fill('input[name=password]', PASSWORD)
    await Promise.all([page.waitForURL(`${souk.url}${next}`), page.click('main button[type=submit]')])
  }

  const liveOpen = (page: Page) => page.waitForSelector('main[data-live-state="open"]', { timeout: 10_000 })
  const text = (page: Page, name: string) => page.locator(`[data-live="${name}"]`).innerText()

  /**
   * Marks when the page's bid count next changes, in epoch ms (the page's clock is this machine's).
   * Strings, as this file is checked without the DOM's types (it starts its own Souk).
   */
  const watchBidCount = (page: Page) =>
    page.evaluate(`(() => {
      window.bidSeenAt = undefined
      new MutationObserver((_, observer) => { window.bidSeenAt = performance.timeOrigin + performance.now(); observer.disconnect() })
        .observe(document.querySelector('[data-live="bid-count"]'), { childList: true, characterData: true, subtree: true })
    })()`)
  async function bidSeenAt(page: Page): Promise<number> {
    // Polled from here: waitForFunction evaluates its string with eval, which the page's CSP refuses.
    for (const deadline = Date.now() + 3_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
      const at = Number(await page.evaluate('window.bidSeenAt ?? 0'))
      if (at > 0) return at
    }
    throw new Error('the page never showed the bid')
  }

  /** Places a bid through the page's form (sent by its script), answering when the click happened. */
  async function bidThroughPage(page: Page, amount: string): Promise<number> {
    await page.fill('form[data-bid-form] input[name=amount]', amount)
    const clickedAt = Date.now()
    await page.click('form[data-bid-form] button[type=submit]')
    return clickedAt
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    souk = await startLocalSouk({ LOG_LEVEL: 'warn' })
    browser = await launchBrowser()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await souk?.stop()
  })

  it('shows the login and registration pages', async () => {
    const { context, page } = await newContext()
    await page.goto(`${souk.url}/register`)
    expect(await page.locator('h1').innerText()).toBe('Create an account')
    await page.screenshot({ path: `${screenshots}/site-register.png`, fullPage: true })
    await page.goto(`${souk.url}/login`)
    expect(await page.locator('h1').innerText()).toBe('Log in')
    await page.screenshot({ path: `${screenshots}/site-login.png`, fullPage: true })
    await context.close()
  })

  it('two bidders see each other’s bids live, and a page cut off catches up with since', async () => {
    const seller = await registered('live-seller')
    const ada = await registered('live-ada')
    const bo = await registered('live-bo')
    const third = await registered('live-third')
    const created = await api<Listing>('/v1/listings', {
      method: 'POST',
      token: seller.token,
      json: { title: 'Brass ship’s clock', description: 'Wound weekly; keeps time.', category: 'clocks', format: 'auction', auction: { startingBid: { amount: 1000, currency: 'USD' }, endsAt: new Date(Date.now() + 3_600_000).toISOString() } },
    })
    expect(created.status).toBe(201)
    const path = `/listings/${created.body.id}`

    // Ada's socket goes through a route the test can cut; Bo's goes straight to Souk.
    const a = await newContext()
    const b = await newContext()
    const socketUrls: string[] = []
    let offline = false
    let adaSocket: WebSocketRoute | undefined
    await a.page.routeWebSocket(/\/v1\/listings\/[^/]+\/live/, (ws) => {
      socketUrls.push(ws.url())
      if (offline) return void ws.close({ code: 1011, reason: 'offline for the test' })
      adaSocket = ws
      ws.connectToServer()
    })
    await logIn(a.page, ada, path)
    await logIn(b.page, bo, path)
    await Promise.all([liveOpen(a.page), liveOpen(b.page)])
    expect(await text(a.page, 'price')).toBe('$10.00')

    // Ada bids; Bo's page shows it.
    await watchBidCount(b.page)
    const adaClicked = await bidThroughPage(a.page, '20')
    const boSaw = await bidSeenAt(b.page)
    console.log(`live bid latency, Ada's click → Bo's page: ${Math.round(boSaw - adaClicked)} ms`)
    expect(boSaw - adaClicked).toBeLessThan(2_000)
    await expect.poll(() => text(a.page, 'bid-result')).toContain('You are the highest bidder')
    const afterAda = await api<Listing>(`/v1/listings/${created.body.id}`)
    await expect.poll(() => text(b.page, 'bid-count')).toBe(String(afterAda.body.bidCount))
    expect(await b.page.locator('[data-live="bids"] tr').count()).toBe(afterAda.body.bidCount)

    // Bo bids higher; Ada's page shows it, with the price the API has.
    await watchBidCount(a.page)
    const boClicked = await bidThroughPage(b.page, '30')
    const adaSaw = await bidSeenAt(a.page)
    console.log(`live bid latency, Bo's click → Ada's page: ${Math.round(adaSaw - boClicked)} ms`)
    expect(adaSaw - boClicked).toBeLessThan(2_000)
    await expect.poll(() => text(b.page, 'bid-result')).toContain('You are the highest bidder')
    const afterBo = await api<Listing>(`/v1/listings/${created.body.id}`)
    await expect.poll(() => text(a.page, 'price')).toBe(dollars(afterBo.body.currentPrice))
    expect(await text(a.page, 'bid-count')).toBe(String(afterBo.body.bidCount))
    await b.page.screenshot({ path: `${screenshots}/site-listing-live.png`, fullPage: true })

    // Cut Ada's socket and keep her offline while someone else bids.
    const seqBefore = Number(await a.page.locator('main').getAttribute('data-seq'))
    offline = true
    await adaSocket!.close({ code: 1012, reason: 'dropped by the test' })
    await a.page.waitForSelector('main[data-live-state="closed"]')
    const urlsBefore = socketUrls.length
    expect((await api(`/v1/listings/${created.body.id}/bids`, { method: 'POST', token: third.token, json: { maxAmount: { amount: 5000, currency: 'USD' } } })).status).toBe(201)
    await a.page.waitForTimeout(600)
    expect(await text(a.page, 'bid-count')).toBe(String(afterBo.body.bidCount))

    // Back online: the next attempt asks for what followed the last seq it applied, and gets it.
    offline = false
    const latest = await api<Listing>(`/v1/listings/${created.body.id}`)
    expect(latest.body.bidCount).toBeGreaterThan(afterBo.body.bidCount)
    await expect.poll(() => text(a.page, 'bid-count'), { timeout: 15_000 }).toBe(String(latest.body.bidCount))
    expect(await text(a.page, 'price')).toBe(dollars(latest.body.currentPrice))
    expect(Number(await a.page.locator('main').getAttribute('data-seq'))).toBe(latest.body.version)
    const reconnects = socketUrls.slice(urlsBefore)
    expect(reconnects.length).toBeGreaterThan(0)
    for (const url of reconnects) expect(new URL(url).searchParams.get('since')).toBe(String(seqBefore))
    expect(await a.page.locator('[data-live="bids"] tr').count()).toBe(latest.body.bidCount)

    await a.context.close()
    await b.context.close()
  }, 60_000)

  it('draws the front page and a listing', async () => {
    const { context, page } = await newContext()
    await page.goto(`${souk.url}/`)
    expect(await page.locator('h1').innerText()).toBe('Browse listings')
    const cards = await page.locator('ul.cards li').count()
    expect(cards).toBeGreaterThan(0)
    await page.screenshot({ path: `${screenshots}/site-browse.png`, fullPage: true })
    await page.click('ul.cards li h3 a')
    await page.waitForSelector('main[data-listing-id]')
    await page.screenshot({ path: `${screenshots}/site-listing.png`, fullPage: true })
    await context.close()
  })

  it('loaded nothing from elsewhere and logged no errors', () => {
    expect(foreignRequests).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
