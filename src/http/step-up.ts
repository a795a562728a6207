import { z } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import type { SecondFactor } from '../accounts/second-factor'
import { secondFactorFor } from '../accounts/second-factor-adapters'
import type { AppEnv } from '../env'
import { Problem } from './problem'

/** The step-up header, for the reference of each route that may ask for it (the middleware reads it). */
export const StepUpHeaders = z.object({
  'x-mfa-code': z
    .string()
    .max(16)
    .optional()
    .openapi({ description: 'A current code of your authenticator, when TOTP is on for your account (else `401 mfa_required`)', example: '492039' }),
})

/** True when the caller sent a current code of their second factor (one call: no factor, no code is current). */
export async function steppedUp(factor: SecondFactor, userId: string, code: string | undefined): Promise<boolean> {
  return code !== undefined && (await factor.verify(userId, code))
}

/**
 * Step-up for sensitive requests (API keys, payouts, erasure, turning TOTP off): a caller with a
 * second factor must send a current code in `X-MFA-Code`, or gets 401 `mfa_required`.
 * Mount after `authenticate()`; anonymous requests pass through to the route's own 401.
 */
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
