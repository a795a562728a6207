import { TransientGatewayError } from '../payments/gateway'
import { stripeRequest, type StripeConfig } from '../payments/stripe-api-client'
import { IdentityProviderUnavailable, type IdentityProvider, type StartedSession } from './identity-provider'

type VerificationSession = { id?: string; url?: string | null; status?: string }

/**
 * Stripe Identity over its REST API: `POST /v1/identity/verification_sessions` (a document check,
 * form-encoded, the seller's id in its metadata, idempotent by the seller's session key). The
 * answer carries the session id and the hosted page the seller completes; the outcome arrives
 * later as `identity.verification_session.*` events on Souk's Stripe webhook.
 */
export function stripeIdentity(cfg: StripeConfig): IdentityProvider {
  return {
    provider: 'stripe',
    async start(req): Promise<StartedSession> {
      let answer: Awaited<ReturnType<typeof stripeRequest<VerificationSession>>>
      try {
        answer = await stripeRequest<VerificationSession>(cfg, 'POST', '/v1/identity/verification_sessions', { type: 'document', 'metadata[user_id]': req.userId }, req.key)
      } catch (err) {
        if (err instanceof TransientGatewayError) throw new IdentityProviderUnavailable(err.message)
        throw err
      }
      const { status, body } = answer
      if (status !== 200 || typeof body.id !== 'string' || !body.id.startsWith('vs_')) {
        // A refusal of a request Souk built itself: a bug or a setting to fix, not the seller's doing.
        throw new Error(`stripe identity answered ${status}${body.error?.code ? ` (${body.error.code})` : ''}`)
      }
      return { sessionId: body.id, url: typeof body.url === 'string' ? body.url : null }
    },
  }
}
