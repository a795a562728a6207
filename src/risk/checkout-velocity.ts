import type { RiskAssessment } from './risk-engine'

/**
 * Per-buyer checkout velocity: a stolen account or card is used fast. At `challengeAt` checkouts
 * in the window the buyer must step up (a one-time code); at `blockAt` checkout is refused.
 */
export type VelocityRule = { windowMinutes: number; challengeAt: number; blockAt: number }

/** `recentCheckouts`: the buyer's checkouts in the window before this one. */
export function checkoutVelocity(recentCheckouts: number, rule: VelocityRule): RiskAssessment {
  const n = recentCheckouts + 1
  if (n >= rule.blockAt) return { verdict: 'block', reasons: [`checkout_velocity: ${n} checkouts in ${rule.windowMinutes} minutes`] }
  if (n >= rule.challengeAt) return { verdict: 'challenge', reasons: [`checkout_velocity: ${n} checkouts in ${rule.windowMinutes} minutes`] }
  return { verdict: 'allow', reasons: [] }
}

/** One buyer's recent checkouts, by order id: a retry of the same checkout is the same entry. */
export type CheckoutWindow = { orderId: string; at: number }[]

/**
 * Counts this checkout against the buyer's window: entries older than the rule's window are
 * dropped, the others (this order excepted) are the recent count, and a new order is recorded
 * unless the verdict blocks it (a blocked attempt is not a checkout). Pure: the clock is passed in.
 */
export function countCheckout(window: CheckoutWindow, orderId: string, nowMs: number, rule: VelocityRule): { assessment: RiskAssessment; window: CheckoutWindow } {
  const since = nowMs - rule.windowMinutes * 60_000
  const recent = window.filter((e) => e.at > since && e.orderId !== orderId)
  const seen = window.find((e) => e.orderId === orderId && e.at > since)
  const assessment = checkoutVelocity(recent.length, rule)
  const entry = seen ?? (assessment.verdict === 'block' ? undefined : { orderId, at: nowMs })
  const kept = entry ? [...recent, entry] : recent
  return { assessment, window: kept }
}
