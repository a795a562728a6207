import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { notificationTypes } from '../../notifications/notification-rules'
import { systemClock } from '../../platform/runtime'
import { frameOf, renderPage } from '../page-render'
import { callApi, problemText } from './api-call'
import { MeView, RecoveryCodesView, TotpEnrolView, type MeData } from './me-page'
import { pollAnswerOf } from './poll-answer'
import { preferencesOf } from './preferences-form'
import { actionKey, field, formNonce, formOf, refuse, settle, toLogin } from './site-action'
import { SiteLayout } from './site-layout'
import type { NotificationView, OrderView, Page, PollView, PreferencesView } from './site-types'

const HOME = '/me'

async function read<T>(c: Context<AppEnv>, path: string, query?: Record<string, string | number | undefined>): Promise<T | undefined> {
  const res = await callApi<T>(c, 'GET', path, { query })
  return res.ok ? res.body : undefined
}

/** Titles shown for the items of the orders (each listing asked once, at most TITLES_LOOKED_UP; the rest show their id). */
const TITLES_LOOKED_UP = 20
async function titlesOf(c: Context<AppEnv>, orders: readonly OrderView[]): Promise<Map<string, string>> {
  const ids = [...new Set(orders.flatMap((o) => o.items.map((i) => i.listingId)))].slice(0, TITLES_LOOKED_UP)
  const views = await Promise.all(ids.map((id) => read<{ id: string; title: string }>(c, `/listings/${encodeURIComponent(id)}`)))
  return new Map(views.flatMap((v) => (v ? [[v.id, v.title] as const] : [])))
}

/** An order command of the buyer's: POST /v1/orders/{id}/<command>, back to /me with its outcome. */
async function orderCommand(c: Context<AppEnv>, command: 'accept' | 'cancel' | 'disputes', json?: unknown): Promise<Response> {
  const id = c.req.param('id') ?? ''
  const form = await formOf(c)
  const key = actionKey(c, form, `order.${command}:${id}`)
  if (!key) return c.redirect(HOME, 303)
  const body = json === undefined && command === 'disputes' ? { reason: field(form, 'reason').trim() } : json
  const res = await callApi<OrderView>(c, 'POST', `/orders/${encodeURIComponent(id)}/${command}`, { json: body, idempotencyKey: key })
  return settle(c, HOME, res, (o) => `Order ${o.id} is ${o.status.replaceAll('_', ' ')}.`)
}

/**
 * `/me`: a person's own side of Souk, drawn from and done through the JSON API (api-call.ts):
 * feedback polls waiting for an answer, the notification inbox (and, with /site/me-live.js, new
 * notices and polls live over `GET /v1/me/live` with a single-use ticket this page fetches), orders
 * as a buyer with what can be done to each, notification settings, two-step login.
 */
export const meRoutes = new Hono<AppEnv>()
  .get(HOME, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const [polls, notifications, orders, preferences] = await Promise.all([
      read<Page<PollView>>(c, '/me/polls'),
      read<Page<NotificationView>>(c, '/me/notifications', { limit: 30 }),
      read<Page<OrderView>>(c, '/orders', { role: 'buyer', limit: 50 }),
      read<PreferencesView>(c, '/me/notification-preferences'),
    ])
    const data: MeData = {
      polls: polls?.data,
      notifications: notifications?.data ?? [],
      orders: orders?.data ?? [],
      titles: await titlesOf(c, orders?.data ?? []),
      preferences,
      noticeTypes: notificationTypes,
      now: systemClock(),
      deliveryWindowMs: c.var.settings.checkout.deliveryWindowMs,
    }
    const frame = await frameOf(c)
    return renderPage(
      c,
      <SiteLayout title="Your page" active="/me" here={HOME} scripts={['/site/me-live.js']} {...frame}>
        <MeView data={data} csrf={frame.csrf} nonce={formNonce()} />
      </SiteLayout>,
    )
  })
  .post(`${HOME}/live-ticket`, async (c) => {
    if (!c.var.principal) return c.json({ error: 'Log in again' }, 401)
    const res = await callApi<{ ticket: string; expiresAt: string }>(c, 'POST', '/me/live-tickets')
    if (!res.ok) return c.json({ error: problemText(res.problem) }, res.status === 429 ? 429 : 503)
    return c.json({ url: `/v1/me/live?ticket=${encodeURIComponent(res.body.ticket)}`, expiresAt: res.body.expiresAt }, 201)
  })
  .post(`${HOME}/orders/:id/accept`, (c) => (c.var.principal ? orderCommand(c, 'accept') : toLogin(c, HOME)))
  .post(`${HOME}/orders/:id/cancel`, (c) => (c.var.principal ? orderCommand(c, 'cancel') : toLogin(c, HOME)))
  .post(`${HOME}/orders/:id/dispute`, (c) => (c.var.principal ? orderCommand(c, 'disputes') : toLogin(c, HOME)))
  .post(`${HOME}/orders/:id/not-received`, (c) => (c.var.principal ? orderCommand(c, 'disputes', { reason: 'not_received' }) : toLogin(c, HOME)))
  .post(`${HOME}/orders/:id/review`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const id = c.req.param('id')
    const form = await formOf(c)
    const key = actionKey(c, form, `order.review:${id}`)
    if (!key) return c.redirect(HOME, 303)
    const comment = field(form, 'comment').trim()
    const json = { rating: Number(field(form, 'rating')), ...(comment ? { comment } : {}) }
    return settle(c, HOME, await callApi(c, 'POST', `/orders/${encodeURIComponent(id)}/reviews`, { json, idempotencyKey: key }), () => 'Thank you: your review is published.')
  })
  .post(`${HOME}/notifications/:id/read`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const id = c.req.param('id')
    const form = await formOf(c)
    const key = actionKey(c, form, `notification.read:${id}`)
    if (!key) return c.redirect(HOME, 303)
    return settle(c, HOME, await callApi(c, 'POST', `/me/notifications/${encodeURIComponent(id)}/read`, { idempotencyKey: key }), () => 'Marked read.')
  })
  .post(`${HOME}/polls/:id/answer`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const id = c.req.param('id')
    const form = await formOf(c)
    const key = actionKey(c, form, `poll.answer:${id}`)
    if (!key) return c.redirect(HOME, 303)
    const answer = pollAnswerOf({ score: field(form, 'score'), comment: field(form, 'comment'), deliveryId: field(form, 'deliveryId') })
    if (!answer.ok) return refuse(c, HOME, answer.error)
    return settle(c, HOME, await callApi(c, 'POST', `/polls/${encodeURIComponent(id)}/answers`, { json: answer.body, idempotencyKey: key }), () => 'Thank you for your answer.')
  })
  .post(`${HOME}/settings`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    if (!actionKey(c, form, 'settings')) return c.redirect(HOME, 303)
    const prefs = preferencesOf(form, notificationTypes)
    if (!prefs.ok) return refuse(c, HOME, prefs.error)
    return settle(c, HOME, await callApi(c, 'PUT', '/me/notification-preferences', { json: prefs.body }), () => 'Settings saved.')
  })
  .post(`${HOME}/totp`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    const key = actionKey(c, form, 'totp.enrol')
    if (!key) return c.redirect(HOME, 303)
    // No Idempotency-Key: each press is a new secret, and the page shows this one.
    const res = await callApi<{ secret: string; otpauthUrl: string }>(c, 'POST', '/me/mfa/totp')
    if (!res.ok) return refuse(c, HOME, problemText(res.problem))
    const frame = await frameOf(c)
    return renderPage(
      c,
      <SiteLayout title="Two-step login" active="/me" here={HOME} {...frame}>
        <TotpEnrolView secret={res.body.secret} otpauthUrl={res.body.otpauthUrl} csrf={frame.csrf} nonce={formNonce()} />
      </SiteLayout>,
    )
  })
  .post(`${HOME}/totp/verify`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    const key = actionKey(c, form, 'totp.verify')
    if (!key) return c.redirect(HOME, 303)
    const res = await callApi<{ recoveryCodes: string[] }>(c, 'POST', '/me/mfa/totp/verify', { json: { code: field(form, 'code').trim() }, idempotencyKey: key })
    if (!res.ok) return refuse(c, HOME, problemText(res.problem))
    const frame = await frameOf(c)
    return renderPage(
      c,
      <SiteLayout title="Two-step login" active="/me" here={HOME} {...frame}>
        <RecoveryCodesView codes={res.body.recoveryCodes} />
      </SiteLayout>,
    )
  })
  .post(`${HOME}/totp/disable`, async (c) => {
    if (!c.var.principal) return toLogin(c, HOME)
    const form = await formOf(c)
    if (!actionKey(c, form, 'totp.disable')) return c.redirect(HOME, 303)
    const res = await callApi(c, 'DELETE', '/me/mfa/totp', { headers: { 'x-mfa-code': field(form, 'code').trim() } })
    return settle(c, HOME, res, () => 'Two-step login is off.')
  })
