import type { RiskAssessment, CheckoutSignals } from './risk-engine'
import { checkoutVelocity, type VelocityRule } from './checkout-velocity'

/** The buyer's checkouts (orders opened, paid or not) since `since`. */
export async function recentCheckouts(d1: D1Database, buyerId: string, since: string): Promise<number> {
  const row = await d1.prepare("SELECT count(*) AS n FROM orders WHERE buyer_id = ? AND created_at >= ? AND source = 'checkout'").bind(buyerId, since).first<{ n: number }>()
  return row?.n ?? 0
}

/** Today's risk engine: per-buyer checkout velocity over D1. */
export function velocityRiskEngine(d1: D1Database, rule: VelocityRule, now: () => Date): { assessCheckout(s: CheckoutSignals): Promise<RiskAssessment> } {
  return {
    async assessCheckout(s) {
      const since = new Date(now().getTime() - rule.windowMinutes * 60_000).toISOString()
      return checkoutVelocity(await recentCheckouts(d1, s.buyerId, since), rule)
    },
  }
}
