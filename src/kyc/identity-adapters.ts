import { audit } from '../audit/audit-adapters'
import type { Settings } from '../config'
import type { Logger } from '../core/logger'
import { database } from '../db/client'
import { IdentityProviderUnavailable, type IdentityProvider } from './identity-provider'
import { sandboxIdentity } from './sandbox-identity-client'
import { stripeIdentity } from './stripe-identity-client'
import { decideOutcome, outcomeOfEvent } from './verification'
import { findVerification, recordOutcome } from './verification-store'

/** The configured identity provider. The sandbox verifies only in development; elsewhere it starts nothing. */
export function identityProvider(env: Env, settings: Settings): IdentityProvider {
  if (settings.identity.kind === 'stripe') {
    const s = settings.gateway.stripe
    return stripeIdentity({ apiBase: s.apiBase, secretKey: s.secretKey, fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) })
  }
  if (settings.environment !== 'development') {
    return {
      provider: 'sandbox',
      start: () => Promise.reject(new IdentityProviderUnavailable('the sandbox identity provider runs only in development')),
    }
  }
  return sandboxIdentity(env.JOBS, settings.identity.sandboxSeconds)
}

/** The part of a Stripe event an identity outcome needs (the webhook has checked its signature). */
export type IdentityEvent = {
  type: string
  data: { object: { id?: unknown; metadata?: Record<string, string>; last_error?: unknown } }
}

export const isIdentityEvent = (type: string): boolean => type.startsWith('identity.verification_session.')

/**
 * Applies an `identity.verification_session.*` event: the seller named in its metadata moves
 * only if the event is about their current session (verification.ts). `unknown`: no verification
 * recorded for that seller yet (the start that made the session is still recording it), so the
 * provider should deliver it again; `ignored`: nothing to change (another session, a repeat, not
 * an outcome). A move is audited once, by the run that made it.
 */
export async function applyIdentityEvent(env: Env, log: Logger, event: IdentityEvent, at: string): Promise<'applied' | 'ignored' | 'unknown'> {
  const session = event.data.object
  const userId = session.metadata?.user_id
  const lastError = typeof session.last_error === 'object' && session.last_error !== null && 'code' in session.last_error && typeof session.last_error.code === 'string' ? session.last_error.code : undefined
  const outcome = outcomeOfEvent(event.type, lastError)
  if (!outcome || typeof session.id !== 'string' || !userId) return 'ignored'
  const db = database(env.DB)
  const decision = decideOutcome(await findVerification(db, userId), session.id, outcome)
  if (decision.kind !== 'move') return decision.kind
  if (!(await recordOutcome(db, userId, session.id, decision, at))) return 'ignored'
  log.info('seller_verification_moved', { userId, to: decision.to })
  await audit(env, log, {
    actorId: 'system',
    action: decision.to === 'verified' ? 'kyc.verified' : 'kyc.rejected',
    subjectId: userId,
    // No session id: the chain is append-only, and erasure removes the provider's reference to the person.
    details: decision.reason ? { reason: decision.reason } : {},
  })
  return 'applied'
}
