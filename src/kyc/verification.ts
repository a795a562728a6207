/**
 * Seller identity verification (KYC) as pure rules: what starting a verification does given the
 * seller's current one, and what an identity provider's outcome does to it. The provider's events
 * may arrive twice, late or out of order; these rules make every order end the same way.
 *
 *   (none) ──start──▶ pending ──verified──▶ verified   (final)
 *                        │  ▲                 ▲
 *                rejected│  │start (a new     │verified (the same session,
 *                        ▼  │ session)        │ passed on a second try)
 *                     rejected ───────────────┘
 */
export const verificationStatuses = ['unverified', 'pending', 'verified', 'rejected'] as const
export type VerificationStatus = (typeof verificationStatuses)[number]

/** A seller's verification as stored (no row: `unverified`). */
export type Verification = {
  status: Exclude<VerificationStatus, 'unverified'>
  /** The provider's session; null once erased with the account. */
  sessionId: string | null
  url: string | null
  /** Sessions started so far. */
  attempts: number
}

/** What a provider's event says about a session. */
export type VerificationOutcome = { kind: 'verified' } | { kind: 'rejected'; reason: string }

/** `POST /v1/me/verification`: answer the current one, or start session number `attempt`. */
export type StartDecision = { kind: 'current'; verification: Verification } | { kind: 'start'; attempt: number }

export function decideStart(current: Verification | undefined): StartDecision {
  if (current && (current.status === 'pending' || current.status === 'verified')) return { kind: 'current', verification: current }
  return { kind: 'start', attempt: (current?.attempts ?? 0) + 1 }
}

/** The provider's idempotency key for a seller's n-th session: a retry of the same start makes no second session. */
export const sessionKey = (userId: string, attempt: number): string => `kyc:${userId}:${attempt}`

/**
 * What an outcome for `sessionId` does: `unknown` when the seller has no verification yet (the
 * start that made the session has not recorded it: the provider should send it again), `ignored`
 * for another session's (an older one, or an erased one) or an outcome that changes nothing,
 * else the status to move to from the status it must still be in.
 */
export type OutcomeDecision =
  | { kind: 'unknown' }
  | { kind: 'ignored' }
  | { kind: 'move'; from: 'pending' | 'rejected'; to: 'verified' | 'rejected'; reason: string | null }

export function decideOutcome(current: Verification | undefined, sessionId: string, outcome: VerificationOutcome): OutcomeDecision {
  if (!current) return { kind: 'unknown' }
  if (current.sessionId !== sessionId) return { kind: 'ignored' }
  // Verified is final: a late `requires_input` of the same session changes nothing.
  if (current.status === 'verified') return { kind: 'ignored' }
  if (outcome.kind === 'verified') return { kind: 'move', from: current.status, to: 'verified', reason: null }
  if (current.status === 'rejected') return { kind: 'ignored' }
  return { kind: 'move', from: 'pending', to: 'rejected', reason: outcome.reason }
}

/**
 * Stripe Identity's event types, as outcomes: `verified`; `requires_input` (a check failed; the
 * person may try again in the same session, whose later `verified` still counts) and `canceled`
 * are rejections. Anything else (`created`, `processing`, `redacted`) says nothing final.
 */
export function outcomeOfEvent(type: string, lastErrorCode: string | undefined): VerificationOutcome | undefined {
  switch (type) {
    case 'identity.verification_session.verified':
      return { kind: 'verified' }
    case 'identity.verification_session.requires_input':
      return { kind: 'rejected', reason: lastErrorCode ?? 'requires_input' }
    case 'identity.verification_session.canceled':
      return { kind: 'rejected', reason: 'canceled' }
    default:
      return undefined
  }
}

/**
 * The sandbox provider's rule (development only): a seller whose display name contains "reject"
 * (any case) is rejected, everyone else verified. Documented in docs/SECURITY.md.
 */
export function sandboxOutcome(displayName: string): VerificationOutcome {
  return /reject/i.test(displayName) ? { kind: 'rejected', reason: 'document_unverified_other' } : { kind: 'verified' }
}
