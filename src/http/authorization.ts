import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { authorize, frozenRefusal, needsFreshCredential, type Action, type Refusal, type Resource } from '../accounts/policy'
import type { Principal } from '../accounts/principal'
import type { AppEnv } from '../env'
import { confirmPrincipal } from './authenticate'
import { Problem } from './problem'
import { unauthenticated } from './unauthenticated'

export function refusalProblem(refusal: Refusal): Problem {
  switch (refusal.code) {
    case 'unauthenticated':
      return unauthenticated()
    case 'forbidden':
      return new Problem(403, 'forbidden', `Not allowed: ${refusal.reason}`)
    case 'account_frozen':
      return new Problem(403, 'account_frozen', 'A frozen account may read but not change anything')
    case 'not_found':
      return new Problem(404, 'not_found')
  }
}

/**
 * The one way a route checks access: the policy decides, this turns a refusal into its problem.
 * Returns the principal, typed as present, for the route to use.
 */
export function authorizeRequest(c: Context<AppEnv>, action: Action, resource?: Resource): Principal {
  const decision = authorize(c.var.principal, action, resource)
  if (!decision.allowed) throw refusalProblem(decision.refusal)
  return decision.principal
}

/**
 * Route option: checks access before the body is read or validated, so an anonymous or
 * under-scoped caller learns 401/403, not what the body should have been. Mount first in the
 * route's `middleware`; the handler then takes the caller from `principalOf(c)`. For actions the
 * policy marks `fresh` (money and security), the caller's account is asked again first, so a
 * revoked token or a frozen account is refused here at once, not within the cache's second.
 */
export const requireAccess = (action: Action) =>
  createMiddleware<AppEnv>(async function requireAccess(c, next) {
    if (needsFreshCredential(action)) {
      const frozen = frozenRefusal(await confirmPrincipal(c), c.req.method, c.req.path)
      if (frozen) throw refusalProblem(frozen)
    }
    authorizeRequest(c, action)
    await next()
  })

/** The caller of a route guarded by `requireAccess`. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.var.principal
  if (!principal) throw unauthenticated()
  return principal
}
