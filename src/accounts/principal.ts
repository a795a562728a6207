import type { Role, Scope } from './scopes'

/** The authenticated caller of one request, resolved from its bearer credential. */
export type Principal = {
  userId: string
  role: Role
  /** Frozen accounts may read but not change anything (see policy.ts). */
  frozen: boolean
  credential:
    | { kind: 'session'; id: string }
    | { kind: 'api_key'; id: string; scopes: readonly Scope[] }
}

/**
 * The key that scopes per-caller state (the object that keeps idempotency keys, rate counters). It
 * is the user, whatever the credential: all of a user's sessions and API keys share one quota, so
 * minting keys does not multiply a limit. (An Idempotency-Key itself belongs to one credential:
 * http/idempotency.ts.)
 */
export const callerKey = (p: Principal): string => `usr:${p.userId}`
