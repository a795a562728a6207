import { assessRegistration, flagForReview, requestOrigin } from '../risk/risk-adapters'
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { credentialCacheOf } from '../http/authenticate'
import { principalOf, requireAccess } from '../http/authorization'
import { clientIp } from '../http/client-ip'
import { jsonBody, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { rateLimitHeaders } from '../rate-limits/rate-limit-headers'
import { LoginBody, LoginResponse, RegisterBody, RegisterResponse, userView } from './account-schemas'
import type { StoredCredential } from './account-credentials'
import { accountStub } from './account-adapters'
import { credentialHash, mintToken, TOKEN_RANDOM_BYTES } from './credentials'
import { loginSucceeded, startLoginAttempt } from './login-throttle-store'
import { decoyHash, hashPassword, SALT_BYTES, verifyPassword } from './password'
import { secondFactorFor } from './second-factor-adapters'
import { findUserByEmail, registerUser, standingOf } from './user-store'
import { personalDataOf } from '../pii/pii-adapters'
import { endLiveSockets } from '../notifications/user-live-object'
import { audit } from '../audit/audit-adapters'

const tags = ['Accounts']

const registerRoute = createRoute({
  method: 'post',
  path: '/auth/register',
  tags,
  summary: 'Create an account and a first session',
  request: { body: jsonBody(RegisterBody) },
  responses: {
    201: { description: 'Registered', content: { 'application/json': { schema: RegisterResponse } } },
    400: problems[400],
    409: problems[409],
    429: problems[429],
  },
})

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  tags,
  summary: 'Exchange e-mail and password for a session token',
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: { description: 'Logged in', content: { 'application/json': { schema: LoginResponse } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    429: problems[429],
  },
})

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags,
  summary: 'End the current session: its token is refused at once on money and security routes, everywhere else within a second',
  security: [{ bearer: [] }],
  middleware: [requireAccess('session.end')] as const,
  responses: { 204: { description: 'Logged out' }, 401: problems[401], 403: problems[403] },
})

/** A fresh session for `userId`: the token (shown once) and what its account keeps of it. */
async function mintSession(userId: string, now: Date, ttlMs: number): Promise<{ token: string; credential: StoredCredential }> {
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

export const authRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(registerRoute, async (c) => {
    const { email, password, displayName } = c.req.valid('json')
    const now = systemClock()
    const at = now.toISOString()
    const userId = newId('usr', now)
    // Before anything is hashed or written: an address (or device) registering in bulk is refused.
    // Counted under the new account's id (made here, never the client's X-Request-Id, which a bot could repeat to be counted once).
    const risk = await assessRegistration(c.env, c.var.settings, c.var.log, { attemptId: userId, origin: await requestOrigin(c), nowMs: now.getTime() })
    if (risk.verdict === 'block') throw new Problem(403, 'risk_blocked', 'Registration is not possible from here now')
    const passwordHash = await hashPassword(password, randomBytes(SALT_BYTES))
    const user = { id: userId, email, displayName, passwordHash, role: 'user' as const, frozenAt: null, erasedAt: null, createdAt: at, updatedAt: at }
    // The address is stored sealed, with its blind index: one AES-GCM seal and one HMAC (docs/SECURITY.md).
    if ((await registerUser(database(c.env.DB), personalDataOf(c.var.settings), user)) === 'email_taken') throw new Problem(409, 'email_taken')
    const session = await mintSession(userId, now, c.var.settings.sessionTtlMs)
    const issued = await accountStub(c.env, userId).issue(session.credential, standingOf(user))
    if (issued !== 'issued') throw new Error(`a new account refused its first session: ${issued}`)
    if (risk.verdict === 'review') await flagForReview(c.env, c.var.log, { id: newId('rsk', now), kind: 'registration', subjectId: userId, userId, reasons: risk.reasons, score: null, createdAt: at })
    return c.json({ user: userView(user, email), token: session.token }, 201)
  })
  .openapi(loginRoute, async (c) => {
    const { email, password, totp, recoveryCode } = c.req.valid('json')
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
    return c.json({ token: session.token, user: userView(user, email) }, 200)
  })
  .openapi(logoutRoute, async (c) => {
    const principal = principalOf(c)
    await accountStub(c.env, principal.userId).revoke(principal.credential.id, 'session')
    await endLiveSockets(c.env, principal.userId, principal.credential.id, c.var.log)
    const credential = c.var.credential
    if (credential) credentialCacheOf(c.var.settings).forgetToken(credential.tokenHash)
    return c.body(null, 204)
  })
