import { Hono, type Context } from 'hono'
import { currencyOf, parseAmount } from './money-input'
import type { AppEnv } from '../../env'
import { Problem } from '../../http/problem'
import { systemClock } from '../../platform/runtime'
import { setFlash } from '../flash'
import { frameOf, renderPage } from '../page-render'
import { callApi, problemText, type ApiResult } from './api-call'
import { idempotencyKeyOf } from './form-action'
import type { PageListing } from './listing-card'
import { ListingPage, type BidRow, type SellerProfile } from './listing-page'
import { field, formNonce } from './site-action'
import { formatMoney, type Money } from './site-format'

const listingId = /^lst_[0-9a-z]{26}$/

/** The listing's page path, or a 404 for anything that is not a listing id. */
function pathOf(id: string): string {
  if (!listingId.test(id)) throw new Problem(404, 'not_found', 'There is no such listing')
  return `/listings/${id}`
}

/** A script's request (the bid form's fetch) wants the outcome as JSON, not a redirect. */
const wantsJson = (c: Context<AppEnv>) => (c.req.header('accept') ?? '').includes('application/json')

type Outcome = { ok: boolean; text: string; status: number }

/**
 * Answers an action: for a script, `{ ok, message, nonce }` (a fresh nonce for the next bid from
 * the same page) with the API's status; for a form, a flash and a redirect back to the listing.
 */
function answer(c: Context<AppEnv>, back: string, outcome: Outcome): Response {
  if (wantsJson(c)) return c.json({ ok: outcome.ok, message: outcome.text, nonce: formNonce() }, (outcome.ok ? 200 : outcome.status) as 200)
  setFlash(c, { kind: outcome.ok ? 'ok' : 'error', text: outcome.text })
  return c.redirect(back, 303)
}

const refused = <T,>(r: ApiResult<T>): Outcome => (r.ok ? { ok: true, text: '', status: r.status } : { ok: false, text: problemText(r.problem), status: r.status })

/** Signed out: a form goes to the login page (and back here after); a script is told 401. */
function needsLogin(c: Context<AppEnv>, back: string): Response {
  if (wantsJson(c)) return c.json({ ok: false, message: 'Log in to do that.', login: `/login?next=${encodeURIComponent(back)}` }, 401)
  return c.redirect(`/login?next=${encodeURIComponent(back)}`, 303)
}

/** The form's amount as money in the listing's currency (a hidden field of the form), or why not. */
function moneyOf(form: Record<string, unknown>, label: string): { ok: true; money: Money } | { ok: false; error: string } {
  const currency = currencyOf(field(form, 'currency'))
  if (!currency) return { ok: false, error: 'This form is out of date; reload the page.' }
  const amount = parseAmount(field(form, 'amount'), label)
  return amount.ok ? { ok: true, money: { amount: amount.amount, currency } } : amount
}

const quantityOf = (form: Record<string, unknown>): number | undefined => {
  const n = Number(field(form, 'quantity') || '1')
  return Number.isSafeInteger(n) && n >= 1 && n <= 10_000 ? n : undefined
}

/** The key of one drawn form's action (site/form-action.ts): a double submit is one operation. */
const keyOf = (action: string, id: string, form: Record<string, unknown>) => idempotencyKeyOf(`${action}:${id}`, field(form, 'nonce'))
const staleForm: Outcome = { ok: false, text: 'This form is out of date; reload the page and try again.', status: 400 }

/**
 * `/listings/{id}` and its actions. The page reads the listing (from its object), its bid history
 * and the seller's profile through the API; each action is one API call with an Idempotency-Key
 * made of the form's nonce, and comes back with what happened (a declined card says so).
 */
export const listingPageRoutes = new Hono<AppEnv>()
  .get('/listings/:id', async (c) => {
    const id = c.req.param('id')
    const here = pathOf(id)
    const found = await callApi<PageListing>(c, 'GET', `/listings/${id}`)
    if (!found.ok) {
      if (found.status === 400 || found.status === 404) throw new Problem(404, 'not_found', 'There is no such listing; it may have been removed.')
      throw new Problem(found.status >= 500 ? 503 : (found.status as 429), found.status >= 500 ? 'service_unavailable' : 'rate_limited', problemText(found.problem))
    }
    const listing = found.body
    const [bids, seller] = await Promise.all([
      listing.format === 'auction' ? callApi<{ data: BidRow[] }>(c, 'GET', `/listings/${id}/bids`, { query: { limit: 20 } }) : undefined,
      callApi<SellerProfile>(c, 'GET', `/users/${listing.sellerId}`),
    ])
    const frame = await frameOf(c)
    return renderPage(c, <ListingPage {...frame} listing={listing} bids={bids?.ok ? bids.body.data : []} seller={seller.ok ? seller.body : undefined} nonce={formNonce()} nowMs={systemClock().getTime()} here={here} />)
  })
  .post('/listings/:id/bid', async (c) => {
    const id = c.req.param('id')
    const back = pathOf(id)
    if (!c.var.principal) return needsLogin(c, back)
    const form = await c.req.parseBody()
    const key = keyOf('bid', id, form)
    if (!key) return answer(c, back, staleForm)
    const max = moneyOf(form, 'Your maximum bid')
    if (!max.ok) return answer(c, back, { ok: false, text: max.error, status: 400 })
    const res = await callApi<{ leading: boolean; currentPrice: Money }>(c, 'POST', `/listings/${id}/bids`, { json: { maxAmount: max.money }, idempotencyKey: key })
    if (!res.ok) return answer(c, back, refused(res))
    const price = formatMoney(res.body.currentPrice)
    return answer(c, back, {
      ok: true,
      status: res.status,
      text: res.body.leading ? `You are the highest bidder at ${price} (your maximum: ${formatMoney(max.money)}).` : `Bid placed, but someone else’s maximum is higher: the price is now ${price}.`,
    })
  })
  .post('/listings/:id/offer', async (c) => {
    const id = c.req.param('id')
    const back = pathOf(id)
    if (!c.var.principal) return needsLogin(c, back)
    const form = await c.req.parseBody()
    const key = keyOf('offer', id, form)
    if (!key) return answer(c, back, staleForm)
    const amount = moneyOf(form, 'Your price')
    const quantity = quantityOf(form)
    if (!amount.ok) return answer(c, back, { ok: false, text: amount.error, status: 400 })
    if (quantity === undefined) return answer(c, back, { ok: false, text: 'Quantity: a whole number, at least 1', status: 400 })
    const res = await callApi<{ id: string; expiresAt: string }>(c, 'POST', `/listings/${id}/offers`, { json: { amount: amount.money, quantity }, idempotencyKey: key })
    if (!res.ok) return answer(c, back, refused(res))
    return answer(c, back, { ok: true, status: res.status, text: `Offer of ${formatMoney(amount.money)} × ${quantity} sent; the seller has until ${res.body.expiresAt.slice(0, 16).replace('T', ' ')} UTC to answer.` })
  })
  .post('/listings/:id/buy', async (c) => {
    const id = c.req.param('id')
    const back = pathOf(id)
    if (!c.var.principal) return needsLogin(c, back)
    const form = await c.req.parseBody()
    const key = keyOf('buy', id, form)
    if (!key) return answer(c, back, staleForm)
    const quantity = quantityOf(form)
    if (quantity === undefined) return answer(c, back, { ok: false, text: 'Quantity: a whole number, at least 1', status: 400 })
    const line2 = field(form, 'line2').trim()
    const shippingAddress = {
      name: field(form, 'name').trim(),
      line1: field(form, 'line1').trim(),
      ...(line2 ? { line2 } : {}),
      city: field(form, 'city').trim(),
      postalCode: field(form, 'postalCode').trim(),
      country: field(form, 'country').trim().toUpperCase(),
    }
    const code = field(form, 'code').trim()
    const res = await callApi<{ id: string; status: string; total: Money }>(c, 'POST', '/checkout', {
      json: { items: [{ listingId: id, quantity }], paymentMethod: field(form, 'paymentMethod'), shippingAddress },
      idempotencyKey: key,
      ...(code ? { headers: { 'x-mfa-code': code } } : {}),
    })
    if (!res.ok) return answer(c, back, refused(res))
    const order = res.body
    const text =
      order.status === 'paid'
        ? `Paid ${formatMoney(order.total)}: order ${order.id}. Follow it on your Me page.`
        : order.status === 'pending_review'
          ? `Order ${order.id} is being reviewed before the payment is taken; you will hear soon.`
          : `Order ${order.id} is waiting for the payment’s answer (${order.status}).`
    return answer(c, back, { ok: true, status: res.status, text })
  })
