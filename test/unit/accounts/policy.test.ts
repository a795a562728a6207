import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AccessDecision, authorize, decide, frozenRefusal, grantRefusal, type Resource, type Rule } from '../../../src/accounts/policy'
import type { Principal } from '../../../src/accounts/principal'
import { roles, scopes, type Role, type Scope } from '../../../src/accounts/scopes'

const ME = 'usr_me'
const STRANGER = 'usr_stranger'

const session = (over: Partial<Principal> = {}): Principal => ({
  userId: ME,
  role: 'user',
  frozen: false,
  credential: { kind: 'session', id: 'ses_1' },
  ...over,
})
const apiKey = (keyScopes: readonly Scope[], over: Partial<Principal> = {}): Principal => ({
  userId: ME,
  role: 'user',
  frozen: false,
  credential: { kind: 'api_key', id: 'key_1', scopes: keyScopes },
  ...over,
})

const principals = {
  none: undefined,
  user: session(),
  frozenUser: session({ frozen: true }),
  keyWithScope: apiKey(['listings:write']),
  keyWithoutScope: apiKey(['account:read']),
  support: session({ role: 'support' }),
  admin: session({ role: 'admin' }),
}

const rules = {
  open: {},
  sessionOnly: { sessionOnly: true },
  staffOnly: { roles: ['support', 'admin'] },
  scoped: { scope: 'listings:write' },
  staffOverride: { staffOverride: true },
} satisfies Record<string, Rule>

const resources = {
  none: undefined,
  owned: { ownerIds: [STRANGER, ME], visibility: 'private' },
  othersPrivate: { ownerIds: [STRANGER], visibility: 'private' },
  othersPublic: { ownerIds: [STRANGER], visibility: 'public' },
} satisfies Record<string, Resource | undefined>

/** A decision as one readable string: `allow`, `401 unauthenticated`, `404 not_found`, `403 forbidden: <reason>`. */
function describeDecision(p: Principal | undefined, d: AccessDecision): string {
  if (d.allowed) {
    expect(d.principal).toBe(p)
    return ALLOW
  }
  const r = d.refusal
  return `${r.status} ${r.code}${'reason' in r ? `: ${r.reason}` : ''}`
}
const outcome = (p: Principal | undefined, rule: Rule, resource?: Resource) => describeDecision(p, decide(p, rule, resource))

const ALLOW = 'allow'
const UNAUTHENTICATED = '401 unauthenticated'
const NOT_FOUND = '404 not_found'

describe('decide: principals × rules × resources', () => {
  const SESSION_NEEDED = '403 forbidden: needs a session token, not an API key'
  const STAFF_NEEDED = '403 forbidden: needs a staff role'
  const SCOPE_NEEDED = '403 forbidden: needs scope listings:write'
  const NOT_YOURS = '403 forbidden: not yours'

  const table: [keyof typeof principals, keyof typeof rules, keyof typeof resources, string][] = [
    // Nobody logged in: 401 before anything else, whatever the rule or resource.
    ['none', 'open', 'none', UNAUTHENTICATED],
    ['none', 'open', 'othersPublic', UNAUTHENTICATED],
    ['none', 'staffOverride', 'othersPrivate', UNAUTHENTICATED],
    // A session user: scopes do not limit a session; ownership does.
    ['user', 'open', 'none', ALLOW],
    ['user', 'scoped', 'none', ALLOW],
    ['user', 'sessionOnly', 'owned', ALLOW],
    ['user', 'staffOnly', 'none', STAFF_NEEDED],
    ['user', 'open', 'owned', ALLOW],
    ['user', 'open', 'othersPrivate', NOT_FOUND],
    ['user', 'open', 'othersPublic', NOT_YOURS],
    ['user', 'staffOverride', 'othersPrivate', NOT_FOUND],
    ['user', 'staffOverride', 'othersPublic', NOT_YOURS],
    // decide does not look at the frozen flag: frozenRefusal runs first, for every mutating request.
    ['frozenUser', 'open', 'owned', ALLOW],
    ['frozenUser', 'open', 'othersPrivate', NOT_FOUND],
    // An API key: only what its scopes and the rule allow.
    ['keyWithScope', 'scoped', 'none', ALLOW],
    ['keyWithScope', 'scoped', 'owned', ALLOW],
    ['keyWithScope', 'scoped', 'othersPrivate', NOT_FOUND],
    ['keyWithScope', 'scoped', 'othersPublic', NOT_YOURS],
    ['keyWithScope', 'open', 'owned', ALLOW],
    ['keyWithScope', 'sessionOnly', 'none', SESSION_NEEDED],
    ['keyWithScope', 'sessionOnly', 'owned', SESSION_NEEDED],
    ['keyWithoutScope', 'scoped', 'none', SCOPE_NEEDED],
    ['keyWithoutScope', 'scoped', 'owned', SCOPE_NEEDED],
    ['keyWithoutScope', 'open', 'owned', ALLOW],
    ['keyWithoutScope', 'sessionOnly', 'owned', SESSION_NEEDED],
    // Staff: a role rule lets them in; only staffOverride lets them at other people's things.
    ['support', 'staffOnly', 'none', ALLOW],
    ['admin', 'staffOnly', 'none', ALLOW],
    ['support', 'staffOverride', 'othersPrivate', ALLOW],
    ['admin', 'staffOverride', 'othersPublic', ALLOW],
    ['admin', 'staffOverride', 'owned', ALLOW],
    ['support', 'open', 'othersPrivate', NOT_FOUND],
    ['admin', 'open', 'othersPublic', NOT_YOURS],
    ['admin', 'staffOnly', 'othersPrivate', NOT_FOUND],
  ]

  it.each(table)('%s under %s on %s → %s', (p, rule, resource, expected) => {
    expect(outcome(principals[p], rules[rule], resources[resource])).toBe(expected)
  })

  it('lets staff through on a staff-override rule only when the key it uses has the scope', () => {
    const staffKey = (s: Scope[]) => apiKey(s, { role: 'admin' })
    const rule: Rule = { scope: 'admin', staffOverride: true }
    expect(outcome(staffKey(['admin']), rule, resources.othersPrivate)).toBe(ALLOW)
    expect(outcome(staffKey(['account:read']), rule, resources.othersPrivate)).toBe('403 forbidden: needs scope admin')
  })
})

describe('decide: laws (property)', () => {
  const scopeArb = fc.constantFrom(...scopes)
  const roleArb = fc.constantFrom(...roles)
  const ruleArb: fc.Arbitrary<Rule> = fc.record(
    {
      scope: scopeArb,
      sessionOnly: fc.boolean(),
      roles: fc.subarray([...roles] as Role[], { minLength: 1 }),
      staffOverride: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  const resourceArb: fc.Arbitrary<Resource | undefined> = fc.option(
    fc.record({
      ownerIds: fc.subarray([ME, STRANGER, 'usr_third']),
      visibility: fc.constantFrom('private' as const, 'public' as const),
    }),
    { nil: undefined },
  )
  const keyArb = fc.record({ role: roleArb, frozen: fc.boolean(), scopes: fc.subarray([...scopes]) }).map((k) =>
    apiKey(k.scopes, { role: k.role, frozen: k.frozen }),
  )
  const sessionArb = fc.record({ role: roleArb, frozen: fc.boolean() }).map((s) => session(s))

  it('an API key never passes a rule whose scope it lacks', () => {
    fc.assert(
      fc.property(keyArb, ruleArb, resourceArb, (key, rule, resource) => {
        const lacks = rule.scope !== undefined && key.credential.kind === 'api_key' && !key.credential.scopes.includes(rule.scope)
        if (lacks) expect(decide(key, rule, resource).allowed).toBe(false)
      }),
    )
  })

  it('an API key never passes a session-only rule', () => {
    fc.assert(
      fc.property(keyArb, ruleArb, resourceArb, (key, rule, resource) => {
        expect(decide(key, { ...rule, sessionOnly: true }, resource)).toMatchObject({ allowed: false, refusal: { status: 403 } })
      }),
    )
  })

  it('nobody but staff under staffOverride acts on what others own, and a private one is never admitted to exist', () => {
    const visibilityArb = fc.constantFrom('private' as const, 'public' as const)
    fc.assert(
      fc.property(fc.oneof(keyArb, sessionArb), ruleArb, visibilityArb, (p, rule, visibility) => {
        const d = decide(p, rule, { ownerIds: [STRANGER], visibility })
        if (d.allowed) {
          expect(rule.staffOverride).toBe(true)
          expect(['support', 'admin']).toContain(p.role)
        } else if (visibility === 'private') {
          expect(d.refusal).not.toMatchObject({ reason: 'not yours' })
        } else {
          expect(d.refusal.status).toBe(403)
        }
      }),
    )
  })

  it('an owner passes every rule its credential and role satisfy', () => {
    fc.assert(
      fc.property(fc.oneof(keyArb, sessionArb), ruleArb, fc.constantFrom('private' as const, 'public' as const), (p, rule, visibility) => {
        const credentialOk =
          !(rule.sessionOnly && p.credential.kind !== 'session') &&
          !(rule.scope && p.credential.kind === 'api_key' && !p.credential.scopes.includes(rule.scope))
        const roleOk = !rule.roles || rule.roles.includes(p.role)
        expect(decide(p, rule, { ownerIds: [ME], visibility }).allowed).toBe(credentialOk && roleOk)
      }),
    )
  })

  it('without a principal the answer is always 401', () => {
    fc.assert(
      fc.property(ruleArb, resourceArb, (rule, resource) => {
        expect(decide(undefined, rule, resource)).toEqual({ allowed: false, refusal: { status: 401, code: 'unauthenticated' } })
      }),
    )
  })
})

describe('authorize: the named actions', () => {
  const callers = {
    user: principals.user,
    admin: principals.admin,
    none: undefined,
    keyAccountRead: apiKey(['account:read']),
    keyOrdersRead: apiKey(['orders:read']),
    keyAllScopes: apiKey([...scopes]),
    adminKeyWithAdminScope: apiKey(['admin'], { role: 'admin' }),
  }
  const SESSION_NEEDED = '403 forbidden: needs a session token, not an API key'
  it.each([
    ['account.read', 'user', ALLOW],
    ['account.read', 'keyAccountRead', ALLOW],
    ['account.read', 'keyOrdersRead', '403 forbidden: needs scope account:read'],
    ['account.read', 'none', UNAUTHENTICATED],
    ['account.export', 'user', ALLOW],
    ['account.export', 'keyAllScopes', SESSION_NEEDED],
    ['account.erase', 'user', ALLOW],
    ['account.erase', 'keyAllScopes', SESSION_NEEDED],
    ['account.erase', 'none', UNAUTHENTICATED],
    ['session.end', 'user', ALLOW],
    ['session.end', 'keyAllScopes', SESSION_NEEDED],
    ['session.end', 'none', UNAUTHENTICATED],
    ['apiKeys.manage', 'user', ALLOW],
    ['apiKeys.manage', 'admin', ALLOW],
    ['apiKeys.manage', 'keyAllScopes', SESSION_NEEDED],
    ['apiKeys.manage', 'adminKeyWithAdminScope', SESSION_NEEDED],
  ] as const)('%s for %s → %s', (action, caller, expected) => {
    const p = callers[caller]
    expect(describeDecision(p, authorize(p, action))).toBe(expected)
  })

  it('hides another user’s private resource and refuses a public one', () => {
    expect(authorize(principals.user, 'account.read', resources.othersPrivate)).toEqual({
      allowed: false,
      refusal: { status: 404, code: 'not_found' },
    })
    expect(authorize(principals.user, 'account.read', resources.othersPublic)).toMatchObject({
      allowed: false,
      refusal: { status: 403, code: 'forbidden' },
    })
    expect(authorize(principals.user, 'account.read', resources.owned)).toEqual({ allowed: true, principal: principals.user })
  })

  it('gives staff no override on the named account actions', () => {
    expect(authorize(principals.admin, 'account.read', resources.othersPrivate)).toMatchObject({ allowed: false, refusal: { status: 404 } })
  })
})

describe('frozenRefusal', () => {
  const frozenKey = apiKey([...scopes], { frozen: true })
  const FROZEN = { status: 403, code: 'account_frozen' }

  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a frozen account %s', (method) => {
    expect(frozenRefusal(principals.frozenUser, method, '/v1/account')).toBeUndefined()
    expect(frozenRefusal(frozenKey, method, '/v1/account')).toBeUndefined()
  })

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses a frozen account’s %s, whichever credential it uses', (method) => {
    expect(frozenRefusal(principals.frozenUser, method, '/v1/account')).toEqual(FROZEN)
    expect(frozenRefusal(frozenKey, method, '/v1/api-keys')).toEqual(FROZEN)
  })

  it('lets a frozen account give up access (log out, revoke a key), and only that', () => {
    expect(frozenRefusal(principals.frozenUser, 'POST', '/v1/auth/logout')).toBeUndefined()
    expect(frozenRefusal(principals.frozenUser, 'DELETE', '/v1/api-keys/key_01hzx3k7d2m4n5p6q7r8s9t0vw')).toBeUndefined()
    expect(frozenRefusal(principals.frozenUser, 'POST', '/v1/auth/login')).toEqual(FROZEN)
    expect(frozenRefusal(principals.frozenUser, 'POST', '/v1/auth/logout/all')).toEqual(FROZEN)
    expect(frozenRefusal(principals.frozenUser, 'POST', '/v1/api-keys')).toEqual(FROZEN)
    expect(frozenRefusal(principals.frozenUser, 'DELETE', '/v1/api-keys/key_1/extra')).toEqual(FROZEN)
    expect(frozenRefusal(principals.frozenUser, 'DELETE', '/v1/me')).toEqual(FROZEN)
  })

  it('never refuses an account that is not frozen, nor an anonymous caller', () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const p of [principals.user, principals.admin, principals.keyWithScope, undefined]) {
        expect(frozenRefusal(p, method, '/v1/account')).toBeUndefined()
      }
    }
  })
})

describe('grantRefusal', () => {
  it('lets users grant every scope but admin, and staff every scope', () => {
    const ordinary = scopes.filter((s) => s !== 'admin')
    expect(grantRefusal(principals.user, ordinary)).toBeUndefined()
    expect(grantRefusal(principals.user, ['account:read', 'admin'])).toEqual({ status: 403, code: 'forbidden', reason: 'your role cannot grant admin' })
    expect(grantRefusal(principals.support, [...scopes])).toBeUndefined()
    expect(grantRefusal(principals.admin, ['admin'])).toBeUndefined()
  })

  it('never lets a key be granted more than its creator’s role holds (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...roles), fc.subarray([...scopes]), (role, requested) => {
        const refused = grantRefusal(session({ role }), requested) !== undefined
        expect(refused).toBe(role === 'user' && requested.includes('admin'))
      }),
    )
  })
})
