import type { Principal } from './principal'
import { isStaff, type Role, type Scope } from './scopes'

/**
 * Who may do what, in one table. Routes ask `authorize(principal, action, resource)` and turn a
 * refusal into its problem; no route decides access with its own `if`.
 */
export type Rule = {
  /** The scope an API key needs for this action. */
  scope?: Scope
  /** Only a session token (a person logged in) may do this, never an API key. */
  sessionOnly?: boolean
  /** Only these roles may act at all. */
  roles?: readonly Role[]
  /** Staff may act on resources they do not own. */
  staffOverride?: boolean
}

const rules = {
  'account.read': { scope: 'account:read' },
  'account.export': { sessionOnly: true },
  'account.erase': { sessionOnly: true },
  'session.end': { sessionOnly: true },
  'apiKeys.manage': { sessionOnly: true },
} satisfies Record<string, Rule>

export type Action = keyof typeof rules

/** A resource as the policy sees it: who owns it and whether strangers may know it exists. */
export type Resource = { ownerIds: readonly string[]; visibility: 'private' | 'public' }

export type Refusal =
  | { status: 401; code: 'unauthenticated' }
  | { status: 403; code: 'forbidden'; reason: string }
  | { status: 403; code: 'account_frozen' }
  | { status: 404; code: 'not_found' }

export type AccessDecision = { allowed: true; principal: Principal } | { allowed: false; refusal: Refusal }

export function authorize(p: Principal | undefined, action: Action, resource?: Resource): AccessDecision {
  return decide(p, rules[action], resource)
}

/** The decision for any rule; `authorize` applies the named ones above. */
export function decide(p: Principal | undefined, rule: Rule, resource?: Resource): AccessDecision {
  const refuse = (refusal: Refusal): AccessDecision => ({ allowed: false, refusal })
  if (!p) return refuse({ status: 401, code: 'unauthenticated' })
  if (rule.sessionOnly && p.credential.kind !== 'session') {
    return refuse({ status: 403, code: 'forbidden', reason: 'needs a session token, not an API key' })
  }
  if (rule.roles && !rule.roles.includes(p.role)) {
    return refuse({ status: 403, code: 'forbidden', reason: 'needs a staff role' })
  }
  if (rule.scope && p.credential.kind === 'api_key' && !p.credential.scopes.includes(rule.scope)) {
    return refuse({ status: 403, code: 'forbidden', reason: `needs scope ${rule.scope}` })
  }
  if (resource && !resource.ownerIds.includes(p.userId) && !(rule.staffOverride && isStaff(p.role))) {
    // Never reveal that someone else's private resource exists.
    return resource.visibility === 'private'
      ? refuse({ status: 404, code: 'not_found' })
      : refuse({ status: 403, code: 'forbidden', reason: 'not yours' })
  }
  return { allowed: true, principal: p }
}

/**
 * A frozen account keeps read access (and may log out) but every change is refused at once,
 * whichever credential it uses.
 */
export function frozenRefusal(p: Principal | undefined, method: string, path: string): Refusal | undefined {
  if (!p?.frozen) return undefined
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined
  if (path === '/v1/auth/logout') return undefined
  return { status: 403, code: 'account_frozen' }
}
