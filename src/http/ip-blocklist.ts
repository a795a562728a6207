import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { systemClock } from '../platform/runtime'
import { livePolicy } from '../risk/risk-policy-adapters'
import { clientIp } from './client-ip'
import { Problem } from './problem'

/**
 * The IP blocklist, at the edge: a request from a blocked range is refused before it is read,
 * authenticated or counted. The ranges come from this isolate's copy of the risk policy (refreshed
 * beside the request once it is old), so the check costs a few comparisons, not a round trip.
 */
export const ipBlocklist = () =>
  createMiddleware<AppEnv>(async function ipBlocklist(c, next) {
    const policy = await livePolicy(c.env, c.var.settings, c.var.log, systemClock().getTime(), (work) => c.executionCtx.waitUntil(work))
    if (policy.isBlocked(clientIp(c))) throw new Problem(403, 'ip_blocked', 'Requests from this network are not accepted')
    await next()
  })
