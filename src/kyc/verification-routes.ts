import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { findUserById } from '../accounts/user-store'
import { audit } from '../audit/audit-adapters'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { identityProvider } from './identity-adapters'
import { IdentityProviderUnavailable } from './identity-provider'
import { decideStart, sessionKey, type Verification } from './verification'
import { findVerification, recordStart, statusOf } from './verification-store'
import { VerificationSchema, VerificationStatusSchema } from './verification-schemas'

const tags = ['Accounts']
const security = [{ bearer: [] }]

const startRoute = createRoute({
  method: 'post',
  path: '/me/verification',
  tags,
  security,
  summary: 'Start seller identity verification (KYC) with the identity provider; while one is pending or verified, answers it and starts nothing',
  middleware: requireAccess('verification.start'),
  responses: {
    201: { description: 'The seller’s verification: `pending` with the provider’s page, or as it stands', content: { 'application/json': { schema: VerificationSchema } } },
    401: problems[401],
    403: problems[403],
    503: problems[503],
  },
})

const statusRoute = createRoute({
  method: 'get',
  path: '/me/verification',
  tags,
  security,
  summary: 'The caller’s seller identity verification: unverified, pending, verified or rejected',
  middleware: requireAccess('account.read'),
  responses: { 200: { description: 'Its status', content: { 'application/json': { schema: VerificationStatusSchema } } }, 401: problems[401], 403: problems[403] },
})

const view = (v: Pick<Verification, 'status' | 'url'>) => ({ status: v.status, ...(v.status === 'pending' && v.url ? { url: v.url } : {}) })

export const verificationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(startRoute, async (c) => {
    const me = principalOf(c)
    const db = database(c.env.DB)
    const decision = decideStart(await findVerification(db, me.userId))
    if (decision.kind === 'current') return c.json(view(decision.verification), 201)
    const user = await findUserById(db, me.userId)
    if (!user) throw new Problem(404, 'not_found')
    const provider = identityProvider(c.env, c.var.settings)
    let session
    try {
      session = await provider.start({ key: sessionKey(me.userId, decision.attempt), userId: me.userId, displayName: user.displayName })
    } catch (err) {
      if (!(err instanceof IdentityProviderUnavailable)) throw err
      c.var.log.warn('identity_provider_unavailable', { provider: provider.provider, reason: err.message })
      throw new Problem(503, 'verification_unavailable', 'The identity provider cannot be reached now; try again shortly', { headers: { 'Retry-After': '5' } })
    }
    if (await recordStart(db, me.userId, provider.provider, decision.attempt, session, systemClock().toISOString())) {
      await audit(c.env, c.var.log, { actorId: me.userId, action: 'kyc.started', subjectId: me.userId, details: { provider: provider.provider } })
      return c.json(view({ status: 'pending', url: session.url }), 201)
    }
    // Another start recorded first (the same session, made with the same key): answer what stands.
    const current = await findVerification(db, me.userId)
    return c.json(view(current ?? { status: 'pending', url: session.url }), 201)
  })
  .openapi(statusRoute, async (c) => {
    const row = await findVerification(database(c.env.DB), principalOf(c).userId)
    return c.json({ status: statusOf(row) }, 200)
  })
