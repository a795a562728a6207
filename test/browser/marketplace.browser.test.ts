import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessibilityViolations } from '../support/node/axe'
import { launchBrowser } from '../support/node/browser'
import { baseUrl, email, http, PASSWORD } from '../support/node/client'

/**
 * Every page, as people meet it, in Debian's Chromium against the shared Souk: each passes
 * axe-core's WCAG 2.x A/AA rules (run in the page under its own CSP), a buyer pays with a
 * declined card and then a good one and finds the order on /me, and a form posted from another
 * origin changes nothing. Screenshots of each page go to test-results/browser/.
 */
const screenshots = 'test-results/browser'
/** The demo staff account the local seed makes (README "Demo accounts"). */
const ADMIN = { email: 'admin@souk.test', password: 'souk-admin-dev-only' }
const ADDRESS = { name: 'Ada Lovelace', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' }

type Person = { email: string; token: string; id: string }

async function person(label: string): Promise<Person> {
  const address = email(label)
  const res = await http('/v1/auth/register', { method: 'POST', json: { email: address, password: PASSWORD, displayName: `${label} A11y` } })
  expect(res.status).toBe(201)
  const body = (await res.json()) as { token: string; user: { id: string } }
  return { email: address, token: body.token, id: body.user.id }
}

async function listing(seller: Person, json: Record<string, unknown>): Promise<string> {
  const res = await http('/v1/listings', { method: 'POST', token: seller.token, json })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

describe('the marketplace’s pages in a real browser', () => {
  let browser: Browser
  let seller: Person
  let buyer: Person
  let fixedId = ''
  let auctionId = ''
  let evil: Server
  let evilUrl = ''

  async function signedIn(who: { email: string; password?: string }, loginPath = '/login'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${baseUrl()}${loginPath}`)
    await page.fill('input[name=email]', who.email)
    await page.fill('input[name=password]', who.password ?? PASSWORD)
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/login')), page.click('main button[type=submit]')])
    return { context, page }
  }

  /** Opens `path`, keeps a screenshot, and answers axe-core's violations there. */
  async function audit(page: Page, path: string, shot: string): Promise<string[]> {
    const res = await page.goto(`${baseUrl()}${path}`)
    expect(res?.status(), path).toBe(200)
    await page.screenshot({ path: `${screenshots}/${shot}.png`, fullPage: true })
    return accessibilityViolations(page)
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    browser = await launchBrowser()
    seller = await person('seller')
    buyer = await person('buyer')
    fixedId = await listing(seller, { title: 'Enamel teapot', description: 'Blue, one litre, hardly used.', category: 'kitchen', format: 'fixed_price', price: { amount: 3200, currency: 'USD' }, quantity: 3 })
    auctionId = await listing(seller, { title: 'Brass sextant', description: 'Works; case included.', category: 'collectibles', format: 'auction', auction: { startingBid: { amount: 5000, currency: 'USD' }, endsAt: new Date(Date.now() + 2 * 3_600_000).toISOString() } })
    // Another site, whose page posts a bid to Souk the moment it opens.
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html')
      res.end(`<!doctype html><form id="f" method="post" action="${baseUrl()}/listings/${auctionId}/bid"><input name="amount" value="99.00"><input name="currency" value="USD"></form><script>document.getElementById('f').submit()</script>`)
    })
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((resolve) => evil?.close(() => resolve()))
  })

  it('every page passes axe-core’s WCAG 2.x A and AA checks: signed out, as a buyer and seller, and as staff', async () => {
    const found: Record<string, string[]> = {}
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await visitor.newPage()
    for (const [path, shot] of [
      ['/', 'page-browse'],
      ['/?q=teapot&sort=price_asc', 'page-search'],
      ['/login', 'page-login'],
      ['/register', 'page-register'],
      [`/listings/${fixedId}`, 'page-listing-fixed'],
      [`/listings/${auctionId}`, 'page-listing-auction'],
      ['/admin/login', 'page-admin-login'],
    ] as const)
      found[path] = await audit(page, path, shot)
    await visitor.close()

    const member = await signedIn(buyer)
    for (const [path, shot] of [
      ['/me', 'page-me'],
      ['/sell', 'page-sell-empty'],
      [`/listings/${auctionId}`, 'page-listing-signed-in'],
    ] as const)
      found[`buyer ${path}`] = await audit(member.page, path, shot)
    await member.context.close()

    const owner = await signedIn(seller)
    found['seller /sell'] = await audit(owner.page, '/sell', 'page-sell')
    await owner.context.close()

    const staff = await signedIn(ADMIN, '/admin/login')
    for (const path of ['/admin', '/admin/slo', '/admin/reviews', '/admin/disputes', '/admin/dead-letters', '/admin/audit', '/admin/users', '/admin/payouts', '/admin/polls'])
      found[path] = await audit(staff.page, path, `page${path.replaceAll('/', '-')}`)
    await staff.context.close()

    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({})
    expect(Object.keys(found).length).toBe(20)
  })

  it('keeps a listing page’s HTML under 50 KB before its photos', async () => {
    const html = await (await fetch(`${baseUrl()}/listings/${auctionId}`)).arrayBuffer()
    expect(html.byteLength).toBeGreaterThan(1000)
    expect(html.byteLength).toBeLessThan(50 * 1024)
  })

  it('a declined card shows the problem’s message and buys nothing; a good card pays, and the order is on /me', async () => {
    const { context, page } = await signedIn(buyer)
    const checkout = async (method: string) => {
      await page.goto(`${baseUrl()}/listings/${fixedId}`)
      const form = page.locator(`form[action="/listings/${fixedId}/buy"]`)
      await form.locator('select[name=paymentMethod]').selectOption(method)
      for (const [name, value] of Object.entries(ADDRESS)) await form.locator(`input[name=${name}]`).fill(value)
      await Promise.all([page.waitForURL(`${baseUrl()}/**`), form.locator('button[type=submit]').click()])
    }
    await checkout('pm_card_chargeDeclined')
    await expect.poll(() => page.locator('[role=alert]').innerText()).toMatch(/declined/i)
    await page.screenshot({ path: `${screenshots}/page-checkout-declined.png`, fullPage: true })
    const before = (await (await http('/v1/orders', { token: buyer.token })).json()) as { data: { status: string }[] }
    expect(before.data.filter((o) => o.status === 'paid')).toEqual([])

    await checkout('pm_card_visa')
    await expect.poll(() => page.locator('[role=status]').first().innerText()).toMatch(/order|paid/i)
    const after = (await (await http('/v1/orders', { token: buyer.token })).json()) as { data: { id: string; status: string }[] }
    const paid = after.data.filter((o) => o.status === 'paid')
    expect(paid).toHaveLength(1)
    await page.goto(`${baseUrl()}/me`)
    await expect.poll(() => page.locator('main').innerText()).toContain(paid[0]?.id ?? 'no paid order')
    // Its item by the listing's title, not its id.
    expect(await page.locator(`tr[id="${paid[0]?.id}"]`).innerText()).toContain('Enamel teapot')
    await page.screenshot({ path: `${screenshots}/page-me-with-order.png`, fullPage: true })
    await context.close()
  })

  it('an auction ends live on its page: no reload, the status and the bid form follow', async () => {
    const endsAt = new Date(Date.now() + 8_000).toISOString()
    const id = await listing(seller, { title: 'Short auction', category: 'collectibles', format: 'auction', auction: { startingBid: { amount: 1000, currency: 'USD' }, endsAt } })
    const { context, page } = await signedIn(buyer)
    await page.goto(`${baseUrl()}/listings/${id}`)
    await page.waitForSelector('main[data-live-state="open"]', { timeout: 10_000 })
    expect(await page.locator('[data-live="status"]').innerText()).toBe('Active')
    await expect.poll(() => page.locator('[data-live="status"]').innerText(), { timeout: 20_000 }).toBe('Ended')
    expect(await page.locator('[data-live="state"]').innerText()).toMatch(/auction ended/i)
    expect(await page.locator('form[data-bid-form] button[type=submit]').isDisabled()).toBe(true)
    await page.screenshot({ path: `${screenshots}/page-listing-ended-live.png`, fullPage: true })
    await context.close()
  })

  it('a form another site posts in a signed-in browser changes nothing', async () => {
    const { context, page } = await signedIn(buyer)
    const answer = page.waitForResponse((r) => r.url().startsWith(`${baseUrl()}/listings/${auctionId}`) && r.request().method() === 'POST')
    await page.goto(evilUrl)
    const res = await answer
    // The session cookie is SameSite=Strict, so it is not even sent; were it sent, the origin check would refuse.
    expect([302, 303, 403]).toContain(res.status())
    const bids = (await (await http(`/v1/listings/${auctionId}/bids`)).json()) as { data: unknown[] }
    expect(bids.data).toEqual([])
    const view = (await (await http(`/v1/listings/${auctionId}`)).json()) as { bidCount: number }
    expect(view.bidCount).toBe(0)
    await context.close()
  })
})
