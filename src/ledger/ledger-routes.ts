import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { validationProblem } from '../http/validation-problem'
import { verifyLedger } from './ledger-store'

const VerifySchema = z
  .object({
    ok: z.boolean(),
    checks: z.array(z.object({ name: z.string(), law: z.number().int(), description: z.string(), ok: z.boolean(), violations: z.array(z.record(z.string(), z.unknown())) })),
  })
  .openapi('LedgerVerification', {
    example: {
      ok: true,
      checks: [
        { name: 'transactions_balance', law: 3, description: 'Every ledger transaction sums to zero in each currency', ok: true, violations: [] },
        { name: 'no_stale_pending_orders', law: 4, description: 'No order waits for payment more than an hour past its due time', ok: true, violations: [] },
      ],
    },
  })

const verifyRoute = createRoute({
  method: 'get',
  path: '/admin/ledger/verify',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admin: prove laws 3 and 4 over the whole database (balanced transactions, escrow = open orders, no stray captures)',
  middleware: requireAccess('ledger.verify'),
  responses: { 200: { description: 'Each check and its violations (at most 20 each)', content: { 'application/json': { schema: VerifySchema } } }, 401: problems[401], 403: problems[403] },
})

export const ledgerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(verifyRoute, async (c) => c.json(await verifyLedger(c.env.DB), 200))
