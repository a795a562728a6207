/**
 * The risk engine's port, as the checkout asks it (its answer: "allow | challenge | review | block
 * with reasons, in a few milliseconds"). Today one rule fills it (checkout-velocity.ts); the risk
 * work adds rules, scores and the review queue behind the same answer.
 */
export type RiskVerdict = 'allow' | 'challenge' | 'review' | 'block'
export type RiskAssessment = { verdict: RiskVerdict; reasons: string[] }

/**
 * A checkout's first answer, from the buyer's account: refused (the caller's credential no longer
 * stands, or the account is frozen), or assessed by the risk rules.
 */
export type CheckoutAdmission = { kind: 'assessed'; assessment: RiskAssessment } | { kind: 'refused'; code: 'unauthenticated' | 'account_frozen' }
