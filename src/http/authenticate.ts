import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { accountStub } from '../accounts/account-adapters'
import type { QuotaRequest } from '../accounts/account-object'
import { CredentialCache } from '../accounts/credential-cache'
import { credentialHash, parseBearer, type Bearer } from '../accounts/credentials'
import { callerKey, type Principal } from '../accounts/principal'
import type { Settings } from '../config'
import type { AppEnv } from '../env'
import { keepLease, unitsToLease } from '../rate-limits/rate-limit-store'
import { unauthenticated } from './unauthenticated'
import { clientIpSubject } from './client-ip'
import { chargeQuota, routeClass } from './rate-limit'

/** This isolate's credential caches, one per trust period (tests run with several settings). */
const caches = new Map<number, CredentialCache>()

export function credentialCacheOf(settings: Pick<Settings, 'credentialCacheMs'>): CredentialCache {
  let cache = caches.get(settings.credentialCacheMs)
  if (!cache) {
    cache = new CredentialCache(settings.credentialCacheMs)
    caches.set(settings.credentialCacheMs, cache)
  }
  return cache
}

/**
 * Resolves `Authorization: Bearer <token>` to the caller (`c.var.principal`) without reading D1:
 * the token names its user, whose account object vouches for it (and spends the request's rate
 * quota in the same round trip); the answer is trusted in this isolate for at most
 * CREDENTIAL_CACHE_MS (≤ 1 s). Routes whose action is marked `fresh` ask the account again
 * (`confirmPrincipal`). No header: anonymous, and routes that need a caller answer 401. A header
 * that is malformed, unknown, expired or revoked: 401 here, whatever the route.
 */
export const authenticate = () =>
  createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header('authorization')
    if (header === undefined) return next()
    const bearer = parseBearer(header)
    if (!bearer) return refuse(c, 'The Authorization header must be "Bearer <token>" with a Souk token')
    const principal = await resolveBearer(c, bearer, () => quotaRequest(c))
    if (!principal) return refuse(c, 'The token is invalid, expired or revoked')
    await next()
  })

/**
 * The caller a token names, as `authenticate` resolves it (this isolate's cache, else the account
 * object), set on `c.var.principal` and `c.var.credential`; undefined when the account refuses it.
 * Pages resolve their session cookie through here too (web/web-session.ts).
 */
export async function resolveBearer(c: Context<AppEnv>, bearer: Bearer, quota: () => QuotaRequest | undefined = () => undefined): Promise<Principal | undefined> {
  const tokenHash = await credentialHash(bearer.token)
  const cached = credentialCacheOf(c.var.settings).get(tokenHash, Date.now())
  if (cached && cached.userId === bearer.userId) {
    c.set('principal', cached)
    c.set('credential', { tokenHash, userId: bearer.userId, confirmed: false })
    return cached
  }
  return askAccount(c, bearer.userId, tokenHash, quota())
}

/**
 * The caller as their account says now, not as this isolate remembers: money-moving and security
 * routes act on it, so a revocation, freeze or erasure takes effect there at once.
 */
export async function confirmPrincipal(c: Context<AppEnv>): Promise<Principal | undefined> {
  const credential = c.var.credential
  if (!credential) return c.var.principal
  if (credential.confirmed) return c.var.principal
  const principal = await askAccount(c, credential.userId, credential.tokenHash)
  if (!principal) throw unauthenticated('The token is invalid, expired or revoked')
  return principal
}

async function askAccount(c: Context<AppEnv>, userId: string, tokenHash: string, quota?: QuotaRequest): Promise<Principal | undefined> {
  const cache = credentialCacheOf(c.var.settings)
  const answer = await accountStub(c.env, userId).authenticate(tokenHash, quota)
  if (!answer.ok) {
    cache.forgetToken(tokenHash)
    return undefined
  }
  const { principal } = answer
  cache.put(tokenHash, principal, Date.now(), answer.credentialExpiresAt)
  if (quota && answer.quota) keepLease(quota.cls, callerKey(principal), quota.policy, quota.units, answer.quota)
  c.set('principal', principal)
  c.set('credential', { tokenHash, userId, confirmed: true })
  return principal
}

/** The quota this request will spend (its class, charged to the user), asked for with the credential. */
function quotaRequest(c: Context<AppEnv>): QuotaRequest | undefined {
  const cls = routeClass(c)
  if (cls === null || cls === 'auth') return undefined
  const policy = c.var.settings.rateLimits[cls]
  return { cls, policy, units: unitsToLease(policy) }
}

/**
 * A bad credential costs the caller's IP a unit of the `auth` quota, as a failed login does, so
 * guessing tokens is as slow as guessing passwords.
 */
async function refuse(c: Context<AppEnv>, detail: string): Promise<never> {
  await chargeQuota(c, 'auth', await clientIpSubject(c))
  throw unauthenticated(detail)
}
