import type { Context } from 'hono'
import { audit } from '../audit/audit-adapters'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { credentialCacheOf } from '../http/authenticate'
import { clientIp } from '../http/client-ip'
import { Problem } from '../http/problem'
import { endLiveSockets } from '../notifications/user-live-object'
import { personalDataOf } from '../pii/pii-adapters'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { rateLimitHeaders } from '../rate-limits/rate-limit-headers'
import { accountStub } from './account-adapters'
import type { StoredCredential } from './account-credentials'
import { credentialHash, mintToken, TOKEN_RANDOM_BYTES } from './credentials'
import { loginSucceeded, startLoginAttempt } from './login-throttle-store'
import { decoyHash, verifyPassword } from './password'
import type { Principal } from './principal'
import { secondFactorFor } from './second-factor-adapters'
import { findUserByEmail, standingOf, type UserRecord } from './user-store'

/**
 * Logging in and out, one way for every door: `POST /v1/auth/login` and the pages' login form
 * (web/login-routes.tsx) both call `logIn`, so the failure budget, the decoy hash, the second
 * factor, the audit and the account's last word are the same wherever a person logs in.
 */

/** A fresh session for `userId`: the token (shown once) and what its account keeps of it. */
export async function mintSession(userId: string, now: Date, ttlMs: number): Promise<{ token: string; credential: StoredCredential }> {
  const token = mintToken('session', userId, randomBytes(TOKEN_RANDOM_BYTES))
  const credential: StoredCredential = {
    id: newId('ses', now),
    kind: 'session',
    tokenHash: await credentialHash(token),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    revokedAt: null,
    name: null,
    prefix: null,
    scopes: null,
    lastUsedAt: null,
  }
  return { token, credential }
}

export type LoginAttempt = { email: string; password: string; totp?: string; recoveryCode?: string }

/**
 * E-mail and password (and the second factor, when enrolled) for a new session token. Throws the
 * problem the login route answers: 429 `rate_limited`, 401 `invalid_credentials` or
 * `mfa_required`, 403 `account_frozen`.
 */
export async function logIn(c: Context<AppEnv>, { email, password, totp, recoveryCode }: LoginAttempt): Promise<{ token: string; user: UserRecord }> {
  const { settings } = c.var
  const { attempt, refusal } = await startLoginAttempt(c.env, settings, email, clientIp(c))
  if (refusal) {
    const headers = rateLimitHeaders(refusal.cls, settings.rateLimits[refusal.cls], refusal.verdict)
    throw new Problem(429, 'rate_limited', 'Too many failed logins; retry later', { headers })
  }
  const db = database(c.env.DB)
  // By the address's blind index: one HMAC, no decryption (docs/SECURITY.md).
  const user = await findUserByEmail(db, personalDataOf(settings), email)
  // Unknown e-mails verify against a decoy, so timing does not reveal who has an account.
  const valid = await verifyPassword(password, user?.passwordHash ?? decoyHash)
  // Failures against an existing account are audited; unknown addresses are only counted.
  const failed = (reason: string) => (user ? audit(c.env, c.var.log, { actorId: 'anonymous', action: 'login.failed', subjectId: user.id, details: { reason } }) : Promise.resolve())
  if (!user || !valid) {
    await failed('password')
    throw new Problem(401, 'invalid_credentials')
  }
  const factor = secondFactorFor(c.env)
  if (await factor.enrolled(user.id)) {
    const passed = totp ? await factor.verify(user.id, totp) : recoveryCode ? await factor.recover(user.id, recoveryCode) : false
    // A wrong code counts as a failed login: the failure budgets above bound guessing it.
    if (!passed) {
      await failed(totp || recoveryCode ? 'second_factor' : 'second_factor_missing')
      throw new Problem(401, 'mfa_required', 'Send the current code of your authenticator as `totp`, or a recovery code as `recoveryCode`')
    }
  }
  await loginSucceeded(c.env, settings, attempt)
  const frozen = () => new Problem(403, 'account_frozen', 'This account is frozen; contact support')
  if (user.frozenAt !== null) throw frozen()
  const session = await mintSession(user.id, systemClock(), settings.sessionTtlMs)
  // The account has the last word (it may have been frozen or erased since the row was read).
  const issued = await accountStub(c.env, user.id).issue(session.credential, standingOf(user))
  if (issued === 'frozen') throw frozen()
  if (issued !== 'issued') throw new Problem(401, 'invalid_credentials')
  await audit(c.env, c.var.log, { actorId: user.id, action: 'login.succeeded', subjectId: user.id, details: { sessionId: session.credential.id, recoveryCode: recoveryCode !== undefined } })
  return { token: session.token, user }
}

/** Ends the caller's session: refused at once on money and security routes, everywhere else within a second. */
export async function endSession(c: Context<AppEnv>, principal: Principal): Promise<void> {
  await accountStub(c.env, principal.userId).revoke(principal.credential.id, 'session')
  await endLiveSockets(c.env, principal.userId, principal.credential.id, c.var.log)
  const credential = c.var.credential
  if (credential) credentialCacheOf(c.var.settings).forgetToken(credential.tokenHash)
}
