import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { metricsReaderOf } from '../../../src/ops/metrics-adapters'
import { checkout, checkoutBody, fixedListing, register } from '../checkout/checkout-fixtures'

/** Business outcomes as metric points, where they happen: a checkout's payment, declined or paid. */
async function payments(): Promise<{ total: number; errors: number }> {
  const now = Date.now()
  const rollups = await metricsReaderOf(env).rollups({ from: now - 3_600_000, to: now + 60_000, kinds: ['outcome'], names: ['checkout.payment'] })
  return { total: rollups.reduce((s, r) => s + r.total, 0), errors: rollups.reduce((s, r) => s + r.errors, 0) }
}

describe('outcome points', () => {
  it('records checkout.payment for each charge: a decline as an error, a paid order as good', async () => {
    const before = await payments()
    const seller = await register('seller')
    const buyer = await register('buyer')
    const listing = await fixedListing(seller, { quantity: 2 })
    expect((await checkout(buyer, checkoutBody(listing.id, 'pm_card_chargeDeclined'))).status).toBe(402)
    const afterDecline = await payments()
    expect(afterDecline.total).toBeGreaterThanOrEqual(before.total + 1)
    expect(afterDecline.errors).toBeGreaterThanOrEqual(before.errors + 1)
    expect((await checkout(buyer, checkoutBody(listing.id))).status).toBe(201)
    const afterPaid = await payments()
    expect(afterPaid.total).toBeGreaterThanOrEqual(afterDecline.total + 1)
  })
})
