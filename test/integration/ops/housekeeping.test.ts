import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import worker from '../../../src/index'
import { checkout, checkoutBody, eventually, fixedListing, order } from '../checkout/checkout-fixtures'
import { register } from '../support/api'

it('the cron handler cancels an order left waiting for payment past its due time, and gives its units back', async () => {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller)
  const res = await checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_error'))
  expect(res.status).toBe(202)
  const { id } = await res.json<{ id: string }>()
  // As if every timer had been lost and the due time had long passed.
  await env.DB.prepare('UPDATE orders SET payment_due_at = ? WHERE id = ?').bind(new Date(Date.now() - 60_000).toISOString(), id).run()
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/10 * * * *' }), env)
  await eventually(() => order(buyer.token, id), (o) => o.status === 'cancelled')
  await eventually(() => listing.stub.view(), (v) => v?.available === 1)
})

it('the cron handler publishes order events the queue did not take when they were written', async () => {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller)
  const res = await checkout(buyer, checkoutBody(listing.id))
  const { id } = await res.json<{ id: string }>()
  const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString()
  // As if the queue had refused both sends: the rows wait in the outbox.
  await env.DB.prepare('UPDATE order_events SET published_at = NULL, at = ? WHERE order_id = ?').bind(twoMinutesAgo, id).run()
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/10 * * * *' }), env)
  const { results } = await env.DB.prepare('SELECT published_at FROM order_events WHERE order_id = ?').bind(id).all<{ published_at: string | null }>()
  expect(results).toHaveLength(2)
  expect(results.every((r) => r.published_at !== null)).toBe(true)
})

it('the cron handler publishes a backlog larger than one queue batch, all of it', async () => {
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller)
  const { id } = await (await checkout(buyer, checkoutBody(listing.id))).json<{ id: string }>()
  const old = new Date(Date.now() - 120_000).toISOString()
  // 150 waiting rows: more than a batch, and more ids than D1 binds in one statement.
  const rows = Array.from({ length: 148 }, (_, i) =>
    env.DB.prepare("INSERT INTO order_events (order_id, seq, status, action, actor, at, event_id) VALUES (?, ?, 'paid', 'pay', 'system', ?, ?)").bind(id, 100 + i, old, `evt_${String(i).padStart(26, '0')}`),
  )
  await env.DB.batch([env.DB.prepare('UPDATE order_events SET published_at = NULL, at = ? WHERE order_id = ?').bind(old, id), ...rows])
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/10 * * * *' }), env)
  const left = await env.DB.prepare('SELECT count(*) AS n FROM order_events WHERE order_id = ? AND published_at IS NULL').bind(id).first<{ n: number }>()
  expect(left?.n).toBe(0)
})
