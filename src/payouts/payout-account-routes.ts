import { userIdParam } from '../accounts/account-schemas'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { audit } from '../audit/audit-adapters'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { jsonBody, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { setPayoutAccount } from '../kyc/verification-store'
import { systemClock } from '../platform/runtime'

/**
 * Where a verified seller's payouts go at the payout provider (their Stripe Connect account,
 * `acct_…`, once the seller's onboarding there is done): recorded by an admin, audited. It was a
 * SQL statement in the runbook.
 */
const UserIdParam = userIdParam(exampleIds.seller)
const AccountBody = z
  .object({ account: z.string().regex(/^acct_[A-Za-z0-9]{6,64}$/, 'must be a Stripe Connect account id (acct_…)') })
  .openapi('PayoutAccount', { example: { account: 'acct_1PxSamLampSeller' } })
const AccountSet = z.object({ userId: z.string(), account: z.string() }).openapi('PayoutAccountSet', { example: { userId: exampleIds.seller, account: 'acct_1PxSamLampSeller' } })

const route = createRoute({
  method: 'put',
  path: '/admin/users/{id}/payout-account',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admins: record where a verified seller’s payouts go (their Stripe Connect account); audited',
  middleware: requireAccess('payouts.oversee'),
  request: { params: UserIdParam, body: jsonBody(AccountBody) },
  responses: {
    200: { description: 'Recorded', content: { 'application/json': { schema: AccountSet } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: { description: '`kyc_required`: the seller is not verified (or does not exist)', content: problems[409].content },
  },
})

export const payoutAccountRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(route, async (c) => {
  const { id } = c.req.valid('param')
  const { account } = c.req.valid('json')
  if (!(await setPayoutAccount(database(c.env.DB), id, account, systemClock().toISOString()))) throw new Problem(409, 'kyc_required', 'Only a verified seller has a payout account')
  await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'payout.account_set', subjectId: id, details: { account } })
  return c.json({ userId: id, account }, 200)
})
