import { createMiddleware } from 'hono/factory'
import { frozenRefusal } from '../accounts/policy'
import type { AppEnv } from '../env'
import { refusalProblem } from './authorization'

/** Every mutating route honours the frozen flag, at once, before any handler runs. */
export const rejectFrozen = () =>
  createMiddleware<AppEnv>(async function rejectFrozen(c, next) {
    const refusal = frozenRefusal(c.var.principal, c.req.method, c.req.path)
    if (refusal) throw refusalProblem(refusal)
    await next()
  })
