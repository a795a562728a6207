import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { and, eq, isNull } from 'drizzle-orm'
import { audit, auditPersonalDataRead } from '../audit/audit-adapters'
import { database } from '../db/client'
import { users } from '../db/schema'
import type { AppEnv } from '../env'
import { credentialCacheOf } from '../http/authenticate'
import { principalOf, requireAccess } from '../http/authorization'
import { jsonBody, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { findVerification, statusOf } from '../kyc/verification-store'
import { personalDataOf } from '../pii/pii-adapters'
import { systemClock } from '../platform/runtime'
import { accountStub } from './account-adapters'
import { UserSchema, userIdParam, userView } from './account-schemas'
import { roles } from './scopes'
import { emailOf, findUserById, standingOf } from './user-store'

/**
 * Staff looking an account up, and admins changing a role: what the runbook did with SQL. A role
 * change is pushed to the account object at once (which every money and security route asks) and
 * forgotten by this isolate's credential cache; other isolates see it within CREDENTIAL_CACHE_MS.
 */
const tags = ['Admin']
const security = [{ bearer: [] }]

const UserIdParam = userIdParam(exampleIds.buyer)

const StaffUserView = z
  .object({
    user: UserSchema,
    erased: z.boolean(),
    verification: z.enum(['unverified', 'pending', 'verified', 'rejected']),
    payoutAccount: z.string().nullable().openapi({ description: 'Where the seller’s payouts go at the payout provider (Stripe Connect), if recorded' }),
  })
  .openapi('StaffUserView', {
    example: {
      user: { id: exampleIds.buyer, email: exampleIds.buyerEmail, displayName: 'Ada', role: 'user', frozen: false, createdAt: '2026-03-01T09:00:00.000Z' },
      erased: false,
      verification: 'unverified',
      payoutAccount: null,
    },
  })

const RoleBody = z.object({ role: z.enum(roles) }).openapi('RoleChange', { example: { role: 'support' } })

const getUserRoute = createRoute({
  method: 'get',
  path: '/admin/users/{id}',
  tags,
  security,
  summary: 'Staff: an account as staff see it (role, standing, verification); the read is audited (personal_data.read)',
  middleware: requireAccess('users.freeze'),
  request: { params: UserIdParam },
  responses: { 200: { description: 'The account', content: { 'application/json': { schema: StaffUserView } } }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
})

const roleRoute = createRoute({
  method: 'put',
  path: '/admin/users/{id}/role',
  tags,
  security,
  summary: 'Admins: make an account a user, support or admin; in force at once on money and security routes; audited',
  middleware: requireAccess('users.role'),
  request: { params: UserIdParam, body: jsonBody(RoleBody) },
  responses: { 200: { description: 'The account with its new role', content: { 'application/json': { schema: UserSchema } } }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
})

/**
 * An account as staff see it, the read on the record (personal_data.read); undefined when there is
 * no such account. The console's users page looks accounts up through here too.
 */
export async function staffUserView(c: Context<AppEnv>, id: string): Promise<z.infer<typeof StaffUserView> | undefined> {
  const db = database(c.env.DB)
  const target = await findUserById(db, id)
  if (!target) return undefined
  const verification = await findVerification(db, id)
  const view = { user: userView(target, await emailOf(personalDataOf(c.var.settings), target)), erased: target.erasedAt !== null, verification: statusOf(verification), payoutAccount: verification?.payoutAccount ?? null }
  await auditPersonalDataRead(c.env, c.var.log, { staffId: principalOf(c).userId, subjectId: id, what: 'user', resourceId: id, requestId: c.var.requestId })
  return view
}

export const adminUserRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(getUserRoute, async (c) => {
    const view = await staffUserView(c, c.req.valid('param').id)
    if (!view) throw new Problem(404, 'not_found')
    return c.json(view, 200)
  })
  .openapi(roleRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { role } = c.req.valid('json')
    const admin = principalOf(c)
    // An admin who demoted themselves could leave nobody to undo it.
    if (admin.userId === id) throw new Problem(403, 'forbidden', 'You cannot change your own role')
    const db = database(c.env.DB)
    const target = await findUserById(db, id)
    if (!target || target.erasedAt !== null) throw new Problem(404, 'not_found')
    const at = systemClock().toISOString()
    await db.update(users).set({ role, updatedAt: at }).where(and(eq(users.id, id), isNull(users.erasedAt)))
    const after = { ...target, role, updatedAt: at }
    await accountStub(c.env, id).open(standingOf(after))
    credentialCacheOf(c.var.settings).forget({ userId: id })
    await audit(c.env, c.var.log, { actorId: admin.userId, action: 'account.role_changed', subjectId: id, details: { from: target.role, to: role } })
    return c.json(userView(after, await emailOf(personalDataOf(c.var.settings), after)), 200)
  })
