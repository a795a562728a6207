/**
 * The identity provider port: starts a verification session for a seller. Its outcome never comes
 * back from this call; it arrives later as the provider's signed webhook event
 * (`identity.verification_session.*` on `POST /v1/webhooks/payments`), which the sandbox sends too.
 */
export type StartSessionRequest = {
  /** Idempotency key (verification.ts `sessionKey`): the same key makes the same session. */
  key: string
  userId: string
  /** The seller's display name: the sandbox decides its outcome by it. */
  displayName: string
}

export type StartedSession = { sessionId: string; url: string | null }

export interface IdentityProvider {
  readonly provider: 'sandbox' | 'stripe'
  /** Throws IdentityProviderUnavailable when the provider cannot be reached or answers nothing usable. */
  start(req: StartSessionRequest): Promise<StartedSession>
}

/** The provider could not start a session now (timeout, 5xx, rate limit): the caller may retry. */
export class IdentityProviderUnavailable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IdentityProviderUnavailable'
  }
}
