import type { Principal } from './principal'
import { grantableScopes, isStaff, type Role, type Scope } from './scopes'

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
  /**
   * Moves money or changes security: the caller's account is asked at once, never an isolate's
   * cached answer (ARCHITECTURE.md "The laws"), so revocation and freezing act here immediately.
   */
  fresh?: boolean
}

const rules = {
  'account.read': { scope: 'account:read' },
  'account.export': { sessionOnly: true },
  'account.erase': { sessionOnly: true, fresh: true },
  'session.end': { sessionOnly: true },
  'apiKeys.manage': { sessionOnly: true, fresh: true },
  // A second factor is the person's own, and changing it is a security change.
  'mfa.manage': { sessionOnly: true, fresh: true },
  'listings.write': { scope: 'listings:write' },
  'trading.write': { scope: 'trading:write' },
  // Buyer, seller, or staff helping them; a stranger gets 404.
  'orders.read': { scope: 'orders:read', staffOverride: true },
  'orders.write': { scope: 'orders:write', fresh: true },
  // Checkout moves money too: its first step asks the buyer's account itself (with the risk check,
  // one round trip: checkout/steps/assess-risk.ts), so the cached answer is not relied on.
  checkout: { scope: 'orders:write' },
  'payouts.write': { scope: 'payouts:write', fresh: true },
  // Proving who one is belongs to the person, never to an integration.
  'verification.start': { sessionOnly: true },
  // Every seller's payouts and why they failed: for admins, like the ledger.
  'payouts.oversee': { roles: ['admin'], scope: 'admin', fresh: true },
  'disputes.resolve': { roles: ['support', 'admin'], scope: 'admin', fresh: true },
  // Stuck orders and refunds move money: admins, as the ledger is.
  'orders.oversee': { roles: ['admin'], scope: 'admin', fresh: true },
  // The rules and the blocklist change what everyone may do: admins only.
  'risk.manage': { roles: ['admin'], scope: 'admin', fresh: true },
  // The review queue is support's daily work, as disputes are.
  'risk.review': { roles: ['support', 'admin'], scope: 'admin', fresh: true },
  'ledger.verify': { roles: ['admin'], scope: 'admin', fresh: true },
  // What staff did is for admins to read, not for the staff it records.
  'audit.read': { roles: ['admin'], scope: 'admin', fresh: true },
  // Staff freeze and unfreeze accounts (support may: it is their first tool against fraud).
  'users.freeze': { roles: ['support', 'admin'], scope: 'admin', fresh: true },
  // Who is staff is for admins to decide.
  'users.role': { roles: ['admin'], scope: 'admin', fresh: true },
  'webhooks.manage': { scope: 'webhooks:manage' },
  'deadLetters.manage': { roles: ['admin'], scope: 'admin', fresh: true },
  // Objectives, burn rates and alerts: what support needs on call, as admins do.
  'ops.observe': { roles: ['support', 'admin'], scope: 'admin' },
  // An operator's repair, as dead letters are: it costs a read of every listing object.
  'readModel.rebuild': { roles: ['admin'], scope: 'admin', fresh: true },
  'notifications.read': { scope: 'notifications:read' },
  // Preferences are a person's choice, not an integration's.
  'notifications.configure': { sessionOnly: true },
  // A phone number and a person's browsers are theirs to show and change, never an integration's.
  'contactPoints.manage': { sessionOnly: true },
  // Feedback polls: staff define them and read their results; a person's answers are their own opinion, never an integration's.
  'polls.manage': { roles: ['support', 'admin'], scope: 'admin' },
  'polls.answer': { sessionOnly: true },
} satisfies Record<string, Rule>

export type Action = keyof typeof rules

/** Whether `action` must be checked against the caller's account itself (see Rule.fresh). */
export const needsFreshCredential = (action: Action): boolean => (rules[action] as Rule).fresh === true

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

/** A caller may hand an API key only scopes their role holds (only staff may grant `admin`). */
export function grantRefusal(p: Principal, requested: readonly Scope[]): Refusal | undefined {
  const allowed = grantableScopes(p.role)
  const excess = requested.filter((s) => !allowed.includes(s))
  return excess.length > 0 ? { status: 403, code: 'forbidden', reason: `your role cannot grant ${excess.join(', ')}` } : undefined
}

/** What a frozen account may still do: end its session and revoke keys, which only give up power. */
const relinquishing = [/^POST \/v1\/auth\/logout$/, /^DELETE \/v1\/api-keys\/[^/]+$/]

/**
 * A freeze ends the account's credentials in its object; one an isolate still trusts for a moment
 * may read, but every change is refused at once, except giving up its own access (logout, revoking
 * an API key that may have leaked).
 */
export function frozenRefusal(p: Principal | undefined, method: string, path: string): Refusal | undefined {
  if (!p?.frozen) return undefined
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined
  if (relinquishing.some((r) => r.test(`${method} ${path}`))) return undefined
  return { status: 403, code: 'account_frozen' }
}

/** Staff may freeze users; only admins may freeze staff, and nobody freezes themselves. */
export function freezeRefusal(staff: Principal, target: { id: string; role: Role }): Refusal | undefined {
  if (staff.userId === target.id) return { status: 403, code: 'forbidden', reason: 'you cannot freeze yourself' }
  if (isStaff(target.role) && staff.role !== 'admin') return { status: 403, code: 'forbidden', reason: 'only an admin may freeze staff' }
  return undefined
}
