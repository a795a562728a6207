import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { MAX_BODY_BYTES, type LargerBody } from '../../http/body-limit'
import { MAX_IMAGE_BYTES } from '../../listings/image-sniff'
import { systemClock } from '../../platform/runtime'
import { setFlash } from '../flash'
import { frameOf, renderPage } from '../page-render'
import { callApi, problemText } from './api-call'
import { listingRequestOf } from './listing-form'
import { MAX_PHOTOS, photosOf } from './listing-photos'
import { currencyOf, parseAmount } from './money-input'
import { listingStatuses, SellView, type SellData } from './sell-page'
import { actionKey, field, formNonce, formOf, refuse, settle, toLogin } from './site-action'
import { SiteLayout } from './site-layout'
import type { BalanceView, ListingView, OfferView, OrderView, Page, PayoutView, RatingsView, VerificationView } from './site-types'

const HOME = '/sell'

/** The listing form carries its photos (at most MAX_PHOTOS of 5 MB each); every other page form stops at 64 KiB (site-routes.tsx passes this to bodyLimit). */
export const listingFormBody: LargerBody = { method: 'POST', path: /^\/sell\/listings$/, maxSize: MAX_PHOTOS * MAX_IMAGE_BYTES + MAX_BODY_BYTES }

const isFile = (v: unknown): v is File => typeof File !== 'undefined' && v instanceof File

/** The answer's body when it went through, else undefined (a part of the page that could not be read shows as empty). */
async function read<T>(c: Context<AppEnv>, path: string, query?: Record<string, string | number | undefined>): Promise<T | undefined> {
  const res = await callApi<T>(c, 'GET', path, { query })
  return res.ok ? res.body : undefined
}

/**
 * `/sell`: the seller's side of Souk, every part of it drawn from and done through the JSON API
 * (api-call.ts) as the signed-in person: their listings (by status), the offers waiting for an
 * answer, their orders (ship, cancel), balance, identity verification and payouts, and a form to
 * list something with photos. Each action is a POST form (site-action.ts) that comes back here.
 */
export const sellRoutes = new Hono<AppEnv>()
  .get(HOME, async (c) => {
    const me = c.var.principal
    if (!me) return toLogin(c, HOME)
    const listingStatus = listingStatuses.find((s) => s === c.req.query('listings')) ?? 'active'
    const [listings, offers, orders, balance, verification, payouts, ratings] = await Promise.all([
      read<Page<ListingView>>(c, '/listings', { sellerId: me.userId, status: listingStatus, limit: 50 }),
      read<Page<OfferView>>(c, '/offers', { role: 'seller', status: 'pending', limit: 50 }),
      read<Page<OrderView>>(c, '/orders', { role: 'seller', limit: 50 }),
      read<BalanceView>(c, '/me/balance'),
      read<VerificationView>(c, '/me/verification'),
      read<Page<PayoutView>>(c, '/me/payouts', { limit: 10 }),
      read<RatingsView>(c, '/me/ratings'),
    ])
    const data: SellData = { listingStatus, listings: listings?.data ?? [], offers: offers?.data ?? [], orders: orders?.data ?? [], balance, verification, payouts: payouts?.data ?? [], ratings }
    const frame = await frameOf(c)
    return renderPage(
      c,
      <SiteLayout title="Sell" active="/sell" here={HOME} {...frame}>
        <SellView data={data} csrf={frame.csrf} nonce={formNonce()} />
      </SiteLayout>,
    )
  })
  .post(`${HOME}/listings`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    const key = actionKey(c, form, 'listing.create')
    if (!key) return c.redirect(HOME, 303)
    const request = listingRequestOf(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])), systemClock())
    if (!request.ok) return refuse(c, HOME, request.error)
    const photos = photosOf(form.photos, isFile)
    if (!photos.ok) return refuse(c, HOME, photos.error)
    const created = await callApi<ListingView>(c, 'POST', '/listings', { json: request.body, idempotencyKey: key })
    if (!created.ok) return refuse(c, HOME, problemText(created.problem))
    const refused: string[] = []
    for (const [i, photo] of photos.photos.entries()) {
      const uploaded = await callApi<{ id: string; url: string }>(c, 'POST', `/listings/${created.body.id}/images`, {
        body: await photo.arrayBuffer(),
        headers: { 'content-type': photo.type || 'application/octet-stream' },
        idempotencyKey: `${key}:photo:${i}`,
      })
      if (!uploaded.ok) refused.push(`${photo.name || `photo ${i + 1}`}: ${problemText(uploaded.problem)}`)
    }
    const listed = `Listed “${created.body.title}”${photos.photos.length > 0 ? ` with ${photos.photos.length - refused.length} of ${photos.photos.length} photos` : ''}.`
    setFlash(c, refused.length === 0 ? { kind: 'ok', text: listed } : { kind: 'error', text: `${listed} Not added: ${refused.join('; ')}` })
    return c.redirect(HOME, 303)
  })
  .post(`${HOME}/offers/:id/:answer{accept|decline|counter}`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const { id, answer } = c.req.param()
    const form = await formOf(c)
    const key = actionKey(c, form, `offer.${answer}:${id}`)
    if (!key) return c.redirect(HOME, 303)
    let json: unknown
    if (answer === 'counter') {
      const amount = parseAmount(field(form, 'amount'), 'Counter offer')
      const currency = currencyOf(field(form, 'currency'))
      if (!amount.ok) return refuse(c, HOME, amount.error)
      if (!currency) return refuse(c, HOME, 'Counter offer: the currency is missing')
      json = { amount: { amount: amount.amount, currency } }
    }
    const done = { accept: 'Offer accepted: the stock is held for the buyer’s checkout.', decline: 'Offer declined.', counter: 'Counter offer sent.' }[answer as 'accept' | 'decline' | 'counter']
    return settle(c, HOME, await callApi(c, 'POST', `/offers/${encodeURIComponent(id)}/${answer}`, { json, idempotencyKey: key }), () => done)
  })
  .post(`${HOME}/orders/:id/ship`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const id = c.req.param('id')
    const form = await formOf(c)
    const key = actionKey(c, form, `order.ship:${id}`)
    if (!key) return c.redirect(HOME, 303)
    const json = { carrier: field(form, 'carrier').trim(), trackingNumber: field(form, 'trackingNumber').trim() }
    return settle(c, HOME, await callApi<OrderView>(c, 'POST', `/orders/${encodeURIComponent(id)}/ship`, { json, idempotencyKey: key }), (o) => `Order ${o.id} is ${o.status} with ${json.carrier}.`)
  })
  .post(`${HOME}/orders/:id/cancel`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const id = c.req.param('id')
    const form = await formOf(c)
    const key = actionKey(c, form, `order.cancel:${id}`)
    if (!key) return c.redirect(HOME, 303)
    return settle(c, HOME, await callApi<OrderView>(c, 'POST', `/orders/${encodeURIComponent(id)}/cancel`, { idempotencyKey: key }), (o) => `Order ${o.id} is ${o.status}.`)
  })
  .post(`${HOME}/verification`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    const key = actionKey(c, form, 'verification.start')
    if (!key) return c.redirect(HOME, 303)
    return settle(c, HOME, await callApi<VerificationView>(c, 'POST', '/me/verification', { idempotencyKey: key }), (v) =>
      v.status === 'verified' ? 'Your identity is verified.' : 'Verification started; this page shows the outcome in a few moments.',
    )
  })
  .post(`${HOME}/payouts`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    const key = actionKey(c, form, 'payout')
    if (!key) return c.redirect(HOME, 303)
    const amount = parseAmount(field(form, 'amount'), 'Payout')
    if (!amount.ok) return refuse(c, HOME, amount.error)
    const currency = currencyOf(field(form, 'currency'))
    if (!currency) return refuse(c, HOME, 'Payout: choose a currency')
    const code = field(form, 'mfaCode').trim()
    const res = await callApi<PayoutView>(c, 'POST', '/me/payouts', { json: { amount: { amount: amount.amount, currency } }, idempotencyKey: key, headers: code ? { 'x-mfa-code': code } : {} })
    return settle(c, HOME, res, (p) => `Payout ${p.id} requested: ${p.status}.`)
  })
