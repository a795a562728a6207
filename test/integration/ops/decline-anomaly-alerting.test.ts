import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { settingsOf } from '../../../src/config'
import { checkout, checkoutBody, fixedListing, register } from '../checkout/checkout-fixtures'
import { driveAlerts, fakePagerDuty } from '../support/pagerduty'

/**
 * The anomaly detector's own alert, through the real path: declined checkouts record
 * `checkout.payment` failures in the local metrics store, the alerts object reads them, and the
 * fake PagerDuty (support/pagerduty.ts) is paged. A file of its own: the metrics store is shared
 * by a file's tests, and the burn-rate test's failing charges would be in these windows.
 */
const MIN = 60_000

it('a spike of declined cards raises the anomaly detector’s own alert, and it resolves when declines stop', { timeout: 60_000 }, async () => {
  const pd = fakePagerDuty()
  let clock = Date.now()
  const alerts = await driveAlerts(pd, () => clock)
  const { minEvents } = settingsOf(env).alerts.anomaly
  const seller = await register('seller')
  const buyer = await register('buyer')
  const listing = await fixedListing(seller, { quantity: 100 })

  // Declines are answers, not faults: 402, no 5xx, so no objective burns; only the decline rate jumps.
  const declined = await Promise.all(Array.from({ length: minEvents }, () => checkout(buyer, checkoutBody(listing.id, 'pm_card_chargeDeclined'))))
  expect(declined.map((r) => r.status)).toEqual(new Array<number>(minEvents).fill(402))

  clock = Date.now()
  const raised = await alerts.evaluate(clock)
  expect(raised.triggered).toContain('anomaly:checkout_decline_rate')
  expect(raised.triggered.filter((k) => k.startsWith('checkout_availability'))).toEqual([])
  const trigger = pd.events.find((e) => e.dedup_key === 'anomaly:checkout_decline_rate')
  expect(trigger).toMatchObject({ event_action: 'trigger', payload: { severity: 'error', custom_details: { objective: 'checkout_decline_rate', rule: 'ewma_anomaly' } } })
  expect(trigger?.payload?.summary).toMatch(/^checkout decline rate at 100\.0% over the last 5 min/)

  clock += 6 * MIN
  expect((await alerts.evaluate(clock)).resolved).toContain('anomaly:checkout_decline_rate')
  expect(pd.log().filter((l) => l.endsWith('anomaly:checkout_decline_rate'))).toEqual(['trigger anomaly:checkout_decline_rate', 'resolve anomaly:checkout_decline_rate'])
})
