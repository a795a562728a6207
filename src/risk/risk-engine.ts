import type { Money } from '../core/money'

/**
 * The risk engine's port, as the checkout asks it (DESIGN: "allow | challenge | review | block
 * with reasons, in a few milliseconds"). Today one rule fills it (checkout-velocity.ts); the risk
 * work adds rules, scores and the review queue behind the same answer.
 */
export type RiskVerdict = 'allow' | 'challenge' | 'review' | 'block'
export type RiskAssessment = { verdict: RiskVerdict; reasons: string[] }

export type CheckoutSignals = { buyerId: string; total: Money; lineCount: number }
