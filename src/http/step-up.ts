import { createMiddleware } from 'hono/factory'
import { secondFactorFor, type SecondFactor } from '../accounts/second-factor'
import type { AppEnv } from '../env'
import { Problem } from './problem'

/**
 * Step-up for sensitive requests (API keys, payouts, challenged checkouts): a caller with a
 * second factor must send a current code in `X-MFA-Code`, or gets 401 `mfa_required`.
 * Mount after `authenticate()`; anonymous requests pass through to the route's own 401.
 */
/** True when the caller has a second factor and sent a current code of it. */
export async function steppedUp(factor: SecondFactor, userId: string, code: string | undefined): Promise<boolean> {
  return code !== undefined && (await factor.enrolled(userId)) && (await factor.verify(userId, code))
}

export const requireStepUp = (factorFor: (env: Env) => SecondFactor = secondFactorFor) =>
  createMiddleware<AppEnv>(async function requireStepUp(c, next) {
    const principal = c.var.principal
    if (principal) {
      const factor = factorFor(c.env)
      if (await factor.enrolled(principal.userId)) {
        const code = c.req.header('x-mfa-code')
        if (!code || !(await factor.verify(principal.userId, code))) {
          throw new Problem(401, 'mfa_required', 'Send a current one-time code in X-MFA-Code')
        }
      }
    }
    await next()
  })
