import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { credentialCacheOf } from '../http/authenticate'
import { principalOf, requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { requireStepUp, StepUpHeaders } from '../http/step-up'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { PersonalDataExport, UserSchema, userView } from './account-schemas'
import { accountStub } from './account-adapters'
import { credentialExport } from './account-schemas'
import { erasePersonalData, exportPersonalData } from './personal-data-store'
import { emailOf, findUserById } from './user-store'
import { personalDataOf } from '../pii/pii-adapters'
import { endLiveSockets } from '../notifications/user-live-object'
import { audit } from '../audit/audit-adapters'
import { eraseVerification, exportVerification } from '../kyc/verification-store'

const tags = ['Accounts']
const security = [{ bearer: [] }]

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  tags,
  security,
  summary: 'The caller',
  middleware: [requireAccess('account.read')] as const,
  responses: {
    200: { description: 'The caller', content: { 'application/json': { schema: UserSchema } } },
    401: problems[401],
    403: problems[403],
  },
})

const exportRoute = createRoute({
  method: 'get',
  path: '/me/export',
  tags,
  security,
  summary: 'Every piece of personal data Souk holds about the caller (GDPR access)',
  middleware: [requireAccess('account.export')] as const,
  responses: {
    200: { description: 'The export', content: { 'application/json': { schema: PersonalDataExport } } },
    401: problems[401],
    403: problems[403],
  },
})

const eraseRoute = createRoute({
  method: 'delete',
  path: '/me',
  tags,
  security,
  summary: 'Erase the account: personal data removed, credentials revoked; orders and ledger keep their integrity',
  middleware: [requireAccess('account.erase'), requireStepUp()] as const,
  request: { headers: StepUpHeaders },
  responses: { 204: { description: 'Erased' }, 401: problems[401], 403: problems[403] },
})

export const meRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(meRoute, async (c) => {
    const principal = principalOf(c)
    const user = await findUserById(database(c.env.DB), principal.userId)
    if (!user) throw new Problem(404, 'not_found')
    return c.json(userView(user, await emailOf(personalDataOf(c.var.settings), user)), 200)
  })
  .openapi(exportRoute, async (c) => {
    const principal = principalOf(c)
    const [data, credentials] = await Promise.all([exportPersonalData(database(c.env.DB), personalDataOf(c.var.settings), principal.userId), accountStub(c.env, principal.userId).credentialHistory()])
    if (!data.user) throw new Problem(404, 'not_found')
    const verification = await exportVerification(database(c.env.DB), principal.userId)
    c.header('Content-Disposition', `attachment; filename="souk-export-${principal.userId}.json"`)
    c.header('Cache-Control', 'no-store')
    await audit(c.env, c.var.log, { actorId: principal.userId, action: 'account.exported', subjectId: principal.userId })
    return c.json({ exportedAt: systemClock().toISOString(), ...data, user: data.user, verification, ...credentialExport(credentials) }, 200)
  })
  .openapi(eraseRoute, async (c) => {
    const principal = principalOf(c)
    // The record first: if the account cannot be reached after it, the caller's token still works
    // and the retry finishes the job; the other way round would lock them out half-erased.
    await erasePersonalData(database(c.env.DB), principal.userId, systemClock())
    // The identity provider's session reference goes with the person (the verified status stays).
    await eraseVerification(database(c.env.DB), principal.userId, systemClock().toISOString())
    await accountStub(c.env, principal.userId).erase()
    credentialCacheOf(c.var.settings).forget({ userId: principal.userId })
    await endLiveSockets(c.env, principal.userId, undefined, c.var.log)
    await audit(c.env, c.var.log, { actorId: principal.userId, action: 'account.erased', subjectId: principal.userId })
    c.var.log.info('account_erased', { userId: principal.userId })
    return c.body(null, 204)
  })
