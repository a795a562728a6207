import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { resolveCredential } from '../accounts/credential-store'
import { credentialHash, parseBearer } from '../accounts/credentials'
import { touchApiKey } from '../accounts/api-key-store'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { systemClock } from '../platform/runtime'
import { unauthenticated } from './authorization'
import { clientIpSubject } from './client-ip'
import { chargeQuota } from './rate-limit'

/** How stale an API key's "last used" may get before a request records a new one. */
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000

/**
 * Resolves `Authorization: Bearer <token>` to the caller (`c.var.principal`). No header: the
 * request goes on anonymously and routes that need a caller answer 401. A header that is
 * malformed, unknown, expired or revoked: 401 here, whatever the route.
 */
export const authenticate = () =>
  createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header('authorization')
    if (header === undefined) return next()
    const bearer = parseBearer(header)
    if (!bearer) return refuse(c, 'The Authorization header must be "Bearer <token>" with a Souk token')
    const now = systemClock()
    const db = database(c.env.DB)
    const resolved = await resolveCredential(c.env.DB, bearer.kind, await credentialHash(bearer.token), now)
    if (!resolved) return refuse(c, 'The token is invalid, expired or revoked')
    const { principal, lastUsedAt } = resolved
    c.set('principal', principal)
    if (principal.credential.kind === 'api_key' && isStale(lastUsedAt, now)) {
      const keyId = principal.credential.id
      c.executionCtx.waitUntil(
        touchApiKey(db, keyId, now).catch((err: unknown) => c.var.log.warn('api_key_touch_failed', { keyId, err })),
      )
    }
    await next()
  })

/**
 * A bad credential costs the caller's IP a unit of the `auth` quota, as a failed login does, so
 * guessing tokens is as slow as guessing passwords and cannot hammer D1 for free.
 */
async function refuse(c: Context<AppEnv>, detail: string): Promise<never> {
  await chargeQuota(c, 'auth', await clientIpSubject(c))
  throw unauthenticated(detail)
}

const isStale = (lastUsedAt: string | null | undefined, now: Date): boolean =>
  !lastUsedAt || now.getTime() - Date.parse(lastUsedAt) > LAST_USED_RESOLUTION_MS
