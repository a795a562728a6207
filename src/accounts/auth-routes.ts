import { assessRegistration, flagForReview, requestOrigin } from '../risk/risk-adapters'
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { jsonBody, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, randomBytes, systemClock } from '../platform/runtime'
import { LoginBody, LoginResponse, RegisterBody, RegisterResponse, userView } from './account-schemas'
import { accountStub } from './account-adapters'
import { endSession, logIn, mintSession } from './login-adapters'
import { hashPassword, SALT_BYTES } from './password'
import { registerUser, standingOf } from './user-store'
import { personalDataOf } from '../pii/pii-adapters'

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
    const body = c.req.valid('json')
    const { token, user } = await logIn(c, body)
    return c.json({ token, user: userView(user, body.email) }, 200)
  })
  .openapi(logoutRoute, async (c) => {
    await endSession(c, principalOf(c))
    return c.body(null, 204)
  })
