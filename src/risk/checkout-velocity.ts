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
