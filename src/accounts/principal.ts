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

/** The key that scopes per-caller state (idempotency keys, rate counters) to this caller. */
export function callerKey(p: Principal): string {
  return p.credential.kind === 'api_key' ? `key:${p.credential.id}` : `usr:${p.userId}`
}
