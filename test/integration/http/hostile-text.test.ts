import { describe, expect, it } from 'vitest'
import { call, countRows, json, register } from '../support/api'

/**
 * Text no field may hold (review finding 7): control characters and unpaired UTF-16 surrogate
 * halves, which are not Unicode text at all and break JSON consumers and databases downstream; and
 * webhook filters that name no event Souk sends. Each is refused with 400 and changes nothing.
 */
const NUL = 'bad\u0000name'
const LONE_HIGH = 'lamp \ud800'
const LONE_LOW = '\udc00 lamp'

async function refused(res: Response, field: string): Promise<void> {
  expect(res.status).toBe(400)
  const problem = await json<{ code: string; errors: { path: string }[] }>(res)
  expect(problem.code).toBe('validation_failed')
  expect(problem.errors.map((e) => e.path).join(' ')).toContain(field)
}

describe('text fields refuse control characters and unpaired surrogates', () => {
  it('API key names', async () => {
    const { token } = await register('hostile-key')
    const before = await json<{ data: unknown[] }>(await call('/v1/api-keys', { token }))
    for (const name of [NUL, LONE_HIGH, LONE_LOW]) await refused(await call('/v1/api-keys', { method: 'POST', token, json: { name, scopes: ['account:read'] } }), 'name')
    expect(await json<{ data: unknown[] }>(await call('/v1/api-keys', { token }))).toEqual(before)
    // A paired surrogate is one ordinary character (an emoji), and welcome.
    expect((await call('/v1/api-keys', { method: 'POST', token, json: { name: 'sync \ud83d\udce6', scopes: ['account:read'] } })).status).toBe(201)
  })

  it('listing titles and descriptions', async () => {
    const { token } = await register('hostile-title')
    const listing = (title: string, description = 'Fine') => ({ title, description, category: 'home', format: 'fixed_price', price: { amount: 1000, currency: 'USD' } })
    for (const title of [NUL, LONE_HIGH, LONE_LOW]) await refused(await call('/v1/listings', { method: 'POST', token, json: listing(title) }), 'title')
    await refused(await call('/v1/listings', { method: 'POST', token, json: listing('Lamp', `line one\n${LONE_HIGH}`) }), 'description')
    expect((await call('/v1/listings', { method: 'POST', token, json: listing('Lamp \ud83e\ude94', 'Two lines,\nand a tab\there.') })).status).toBe(201)
  })
})

describe('webhook endpoint filters', () => {
  it('refuse an event type Souk never sends, on create and on update', async () => {
    const { token } = await register('hostile-filter')
    const endpoints = await countRows('webhook_endpoints')
    for (const events of [['order.payed'], ['orders.*'], ['order.paid', 'nope'], ['webhook.test']]) {
      await refused(await call('/v1/webhook-endpoints', { method: 'POST', token, json: { url: 'https://hooks.example.com/souk', events } }), 'events')
    }
    expect(await countRows('webhook_endpoints')).toBe(endpoints)
    const created = await call('/v1/webhook-endpoints', { method: 'POST', token, json: { url: 'https://hooks.example.com/souk', events: ['order.*', 'offer.created', '*'] } })
    expect(created.status).toBe(201)
    const { id } = await json<{ id: string }>(created)
    await refused(await call(`/v1/webhook-endpoints/${id}`, { method: 'PATCH', token, headers: { 'if-match': '"1"' }, json: { events: ['listing.deleted'] } }), 'events')
  })
})
