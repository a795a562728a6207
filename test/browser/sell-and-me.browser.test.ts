import { mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalSouk } from '../../scripts/local-worker.ts'
import { encodePng } from '../../scripts/png-encoder.ts'
import { accessibilityViolations } from '../support/node/axe'
import { launchBrowser } from '../support/node/browser'

/** Git-ignored (.gitignore: test-results/). */
const screenshots = 'test-results/browser'
const PASSWORD = 'correct horse battery staple'
/** The demo staff account `npm start` seeds (README "Demo accounts"). */
const ADMIN = { email: 'admin@souk.test', password: 'souk-admin-dev-only' }

/** A `w`×`h` PNG of diagonal stripes, made here with the seed's encoder (nothing downloaded). */
function stripedPng(w: number, h: number): Buffer {
  const rgb = new Uint8Array(w * h * 3)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(Math.floor((x + y) / 12) % 2 ? [20, 90, 170] : [240, 190, 60], 3 * (y * w + x))
  return Buffer.from(encodePng({ width: w, height: h, rgb }))
}

/**
 * /sell and /me in Chromium against a Souk of its own (as `npm start` runs it): a seller lists
 * something with a photo through the form; a buyer buys it (through the API: the listing page is
 * tested on its own) and, with /me open, sees the "shipped" notice arrive live the moment the
 * seller marks the order shipped on /sell, and the order's status change with it until the
 * sandbox carrier delivers it, when the feedback poll staff set up pops up at once; answers it
 * there, then accepts the order. The seller's page shows the buyers' feedback.
 */
describe('selling and the buyer’s page in a real browser', () => {
  let souk: { url: string; stop: () => Promise<void> }
  let browser: Browser
  const consoleErrors: string[] = []
  const foreignRequests: string[] = []

  const api = (path: string, init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${souk.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.json ? JSON.stringify(init.json) : undefined,
    })

  async function registered(displayName: string): Promise<{ id: string; email: string; token: string }> {
    const email = `${displayName.toLowerCase().replaceAll(' ', '-')}-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`
    const res = await api('/v1/auth/register', { method: 'POST', json: { email, password: PASSWORD, displayName } })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { token: string; user: { id: string } }
    return { id: body.user.id, email, token: body.token }
  }

  async function signedIn(who: { email: string }, path: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
    page.on('pageerror', (err) => consoleErrors.push(err.message))
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== souk.url && !/^(data|ws):/.test(r.url())) foreignRequests.push(r.url())
    })
    await page.goto(`${souk.url}${path}`)
    expect(new URL(page.url()).pathname).toBe('/login')
    await page.fill('form[action="/login"] input[name=email]', who.email)
    await page.fill('form[action="/login"] input[name=password]', PASSWORD)
    await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')])
    expect(new URL(page.url()).pathname).toBe(path)
    return { context, page }
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

  it('a seller lists with a photo; the buyer sees the order ship live on /me, answers the poll that pops up and accepts it', async () => {
    // Staff put a poll to buyers when an order is delivered: it should pop up on the buyer's open /me.
    const admin = (await (await api('/v1/auth/login', { method: 'POST', json: ADMIN })).json()) as { token: string }
    const poll = await api('/v1/admin/polls', { method: 'POST', token: admin.token, json: { question: 'How was the delivery from {subject}?', trigger: 'order.delivered', audience: 'buyer' } })
    expect(poll.status).toBe(201)
    const sellerAccount = await registered('Seller Sam')
    const buyerAccount = await registered('Buyer Ada')
    const seller = await signedIn(sellerAccount, '/sell')

    // List a lamp with a photo through the form.
    const s = seller.page
    await s.fill('#new-listing-form input[name=title]', 'Striped enamel lamp')
    await s.fill('#new-listing-form textarea[name=description]', 'Enamel shade, works, cable renewed.')
    await s.fill('#new-listing-form input[name=category]', 'home')
    await s.check('#new-listing-form input[name=format][value=fixed_price]')
    await s.selectOption('#new-listing-form select[name=currency]', 'USD')
    await s.fill('#new-listing-form input[name=price]', '38.50')
    await s.fill('#new-listing-form input[name=quantity]', '2')
    await s.setInputFiles('#new-listing-form input[name=photos]', { name: 'lamp.png', mimeType: 'image/png', buffer: stripedPng(240, 180) })
    await Promise.all([s.waitForNavigation(), s.click('#new-listing-form button[type=submit]')])
    expect(await s.locator('.flash.ok').innerText()).toBe('Listed “Striped enamel lamp” with 1 of 1 photos.')
    const row = s.locator('#sell-listings tr', { hasText: 'Striped enamel lamp' })
    expect(await row.count()).toBe(1)
    const listingId = await row.getAttribute('id')
    expect(listingId).toMatch(/^lst_/)
    // The thumbnail is the uploaded photo, served back by this origin (a string: this file has no DOM types;
    // evaluated once at a time, as the pages' CSP refuses the eval that waitForFunction's polling needs).
    await row.locator('img.thumb').waitFor()
    await expect.poll(() => s.evaluate(`document.querySelector('tr[id="${listingId}"] img.thumb').naturalWidth`), { timeout: 5_000 }).toBe(240)
    const listing = (await (await api(`/v1/listings/${listingId}`)).json()) as { price: { amount: number }; images: unknown[] }
    expect(listing.price.amount).toBe(3850)
    expect(listing.images).toHaveLength(1)

    // The buyer buys it and opens /me, which goes live.
    const bought = await api('/v1/checkout', {
      method: 'POST',
      token: buyerAccount.token,
      headers: { 'idempotency-key': randomBytes(8).toString('hex') },
      json: { items: [{ listingId, quantity: 1 }], paymentMethod: 'pm_card_visa', shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' } },
    })
    expect(bought.status).toBe(201)
    const orderId = ((await bought.json()) as { id: string }).id
    const buyer = await signedIn(buyerAccount, '/me')
    const b = buyer.page
    await b.waitForSelector('body[data-live="open"]', { timeout: 10_000 })
    expect(await b.locator(`#me-orders tr[id="${orderId}"] td.status`).innerText()).toBe('paid')

    // The seller ships it on /sell.
    await s.goto(`${souk.url}/sell`)
    const orderRow = s.locator(`#sell-orders tr[id="${orderId}"]`)
    await orderRow.locator('select[name=carrier]').selectOption('sandbox')
    await orderRow.locator('input[name=trackingNumber]').fill('SBX-20261205')
    const shippedAt = Date.now()
    await Promise.all([s.waitForNavigation(), orderRow.getByRole('button', { name: 'Mark shipped' }).click()])
    expect(await s.locator('.flash.ok').innerText()).toBe(`Order ${orderId} is shipped with sandbox.`)

    // The buyer's open page shows the notice and the new status without a reload.
    const notice = b.locator('#notifications li.live', { hasText: 'Your order has shipped' })
    await notice.waitFor({ timeout: 15_000 })
    console.log(`shipped notice on /me ${Date.now() - shippedAt} ms after the seller's click`)
    expect(await notice.innerText()).toContain(orderId)
    await b.locator(`#me-orders tr[id="${orderId}"] td.status:is([data-status="shipped"], [data-status="in_transit"], [data-status="delivered"])`).waitFor({ timeout: 10_000 })

    // The sandbox carrier delivers it by itself: the status changes and the poll pops up, live; the buyer answers it there.
    await b.locator(`#me-orders tr[id="${orderId}"] td.status[data-status="delivered"]`).waitFor({ timeout: 20_000 })
    const asked = b.locator('#polls li.poll', { hasText: 'How was the delivery from Seller Sam?' })
    await asked.waitFor({ timeout: 10_000 })
    await asked.locator('input[name=score][value="9"]').check()
    await asked.locator('textarea[name=comment]').fill('Fast and well packed')
    await Promise.all([b.waitForNavigation(), asked.getByRole('button', { name: 'Send answer' }).click()])
    expect(await b.locator('.flash.ok').innerText()).toBe('Thank you for your answer.')
    const ratings = (await (await api('/v1/me/ratings', { token: sellerAccount.token })).json()) as { feedback: { average: number; count: number } }
    expect(ratings.feedback).toEqual({ average: 9, count: 1 })
    await b.waitForSelector('body[data-live="open"]', { timeout: 10_000 })
    await b.screenshot({ path: `${screenshots}/me.png`, fullPage: true })
    expect(await accessibilityViolations(b)).toEqual([])
    await Promise.all([b.waitForNavigation(), b.locator(`#me-orders tr[id="${orderId}"]`).getByRole('button', { name: 'Accept (release payment)' }).click()])
    expect(await b.locator('.flash.ok').innerText()).toBe(`Order ${orderId} is completed.`)
    expect(await b.locator(`#me-orders tr[id="${orderId}"] td.status`).innerText()).toBe('completed')

    await s.goto(`${souk.url}/sell`)
    expect(await s.locator('#rating').innerText()).toContain("Buyers' feedback: 9.0 of 10 from 1 buyer.")
    await s.screenshot({ path: `${screenshots}/sell.png`, fullPage: true })
    expect(await accessibilityViolations(s)).toEqual([])
    await seller.context.close()
    await buyer.context.close()
  }, 90_000)

  it('loaded nothing from elsewhere and logged no errors', () => {
    expect(foreignRequests).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
