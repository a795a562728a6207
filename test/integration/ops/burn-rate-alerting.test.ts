import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { settingsOf } from '../../../src/config'
import type { CircuitBreakerObject } from '../../../src/payments/circuit-breaker-object'
import { breakerStub } from '../../../src/payments/payment-gateway-client'
import { checkout, checkoutBody, fixedListing, register } from '../checkout/checkout-fixtures'
import { json } from '../support/api'
import { driveAlerts, fakePagerDuty } from '../support/pagerduty'

/**
 * The "done when": an injected fault burns an objective's budget, an alert reaches the
 * fake PagerDuty, and it resolves when the fault is fixed, with time driven by the test.
 *
 * The fault is a failing gateway: the sandbox answers every charge of `pm_sandbox_error` with a
 * 5xx. Each checkout tries it GATEWAY_MAX_ATTEMPTS times and answers 202 (payment unknown); the
 * failures open the gateway's circuit breaker, after which checkouts answer 503. Those 5xx answers
 * are what `checkout_availability` (99.9% of POST /v1/checkout without a 5xx) counts as bad, through
 * the real path: the worker's access log records each request's metric point, the local metrics
 * store keeps it, and the alerts object reads it back.
 *
 * PagerDuty is a fake receiver (support/pagerduty.ts) handed to the alerts object through its
 * `pager` seam; the object runs in this test's isolate, so it calls the fake as its fetch and the
 * real Events v2 client (pagerduty-client.ts) builds what the fake receives. Time moves through
 * the object's clock and `evaluate(nowMs)`: the points carry real time, evaluations then happen
 * "later" by as much as the test says.
 */
const MIN = 60_000

it('a failing gateway burns the checkout budget: PagerDuty is triggered, then told it resolved once the fault is gone, and nothing more', { timeout: 60_000 }, async () => {
  const pd = fakePagerDuty()
  let clock = Date.now()
  const alerts = await driveAlerts(pd, () => clock)
  const { breaker: policy, maxAttempts } = settingsOf(env).gateway
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller, { quantity: 200 })

  // The fault: enough failing charges to open the breaker, then checkouts the open breaker refuses.
  const failing = await Promise.all(Array.from({ length: Math.ceil(policy.minFailures / maxAttempts) }, () => checkout(buyer, checkoutBody(listing.id, 'pm_sandbox_error'))))
  expect(failing.every((r) => r.status === 202 || r.status === 503)).toBe(true)
  const refused = []
  for (let i = 0; i < 5; i++) refused.push(await checkout(buyer, checkoutBody(listing.id)))
  expect(refused.map((r) => r.status)).toEqual([503, 503, 503, 503, 503])
  expect(await json(refused[0] as Response)).toMatchObject({ code: 'payments_unavailable' })

  clock = Date.now()
  const raised = await alerts.evaluate(clock)
  expect(raised.triggered).toEqual(expect.arrayContaining(['checkout_availability:fast_burn', 'checkout_availability:slow_burn']))
  expect(pd.events).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ event_action: 'trigger', dedup_key: 'checkout_availability:fast_burn', payload: expect.objectContaining({ severity: 'critical' }) }),
      expect.objectContaining({ event_action: 'trigger', dedup_key: 'checkout_availability:slow_burn', payload: expect.objectContaining({ severity: 'error' }) }),
    ]),
  )
  const paged = pd.events.length
  expect(paged).toBe(raised.triggered.length)
  // The failing charges are declines to the anomaly detector too: it raises its own alert.
  expect(raised.triggered).toContain('anomaly:checkout_decline_rate')
  // Evaluated again in the same state: nothing new.
  expect(await alerts.evaluate(clock)).toMatchObject({ triggered: [], resolved: [], sent: 0 })
  expect(pd.events).toHaveLength(paged)

  // The fix: the gateway answers again and the breaker's cooldown has passed; a checkout goes through.
  const breaker = breakerStub(env, settingsOf(env).gateway.kind)
  await runInDurableObject(breaker, (o: CircuitBreakerObject) => {
    o.now = () => Date.now() + policy.cooldownMs + 1000
  })
  try {
    expect((await checkout(buyer, checkoutBody(listing.id))).status).toBe(201)
    expect(await breaker.mode()).toBe('closed')
  } finally {
    await runInDurableObject(breaker, (o: CircuitBreakerObject) => {
      o.now = () => Date.now()
    })
  }

  // Six minutes on, the fast rule's five-minute window is clean: it resolves under the same key.
  clock += 6 * MIN
  const fast = await alerts.evaluate(clock)
  expect(fast.resolved).toContain('checkout_availability:fast_burn')
  expect(fast.resolved).not.toContain('checkout_availability:slow_burn') // its 30 minutes still hold the fault
  // Half an hour on, everything the fault raised has resolved, each once, under its own key.
  clock += 25 * MIN
  await alerts.evaluate(clock)
  const resolves = pd.events.filter((e) => e.event_action === 'resolve').map((e) => e.dedup_key)
  expect(resolves.sort()).toEqual([...raised.triggered].sort())
  expect((await alerts.list({ status: 'open', limit: 100 })).data).toEqual([])

  // Evaluating again, or the alarm doing it, tells PagerDuty nothing new.
  const told = pd.events.length
  expect(await alerts.evaluate(clock + MIN)).toMatchObject({ triggered: [], resolved: [], sent: 0 })
  await alerts.ensureRunning()
  expect(await runDurableObjectAlarm(alerts)).toBe(true)
  expect(pd.events).toHaveLength(told)
})
