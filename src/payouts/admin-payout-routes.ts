import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { requireAccess } from '../http/authorization'
import { pageOf, PageQuery, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { validationProblem } from '../http/validation-problem'
import { listAllPayouts } from '../ledger/payout-store'
import { MoneySchema } from '../listings/listing-schemas'

const payoutStatuses = ['pending', 'paid', 'failed'] as const

const exampleFailed = {
  id: exampleIds.payout,
  sellerId: exampleIds.seller,
  amount: { amount: 4013, currency: 'EUR' },
  status: 'failed',
  createdAt: '2026-03-22T09:15:00.000Z',
  updatedAt: '2026-03-22T09:15:04.000Z',
  transferReference: null,
  failureCode: 'account_closed',
}

const AdminPayoutSchema = z
  .object({
    id: z.string(),
    sellerId: z.string(),
    amount: MoneySchema,
    status: z.enum(payoutStatuses),
    createdAt: z.string(),
    updatedAt: z.string().nullable().openapi({ description: 'When it became paid or failed; null while pending' }),
    transferReference: z.string().nullable().openapi({ description: 'The provider’s transfer (`tr_…`), once paid' }),
    failureCode: z.string().nullable().openapi({ description: 'Why the provider refused it, once failed (the money is back in the seller’s available balance)' }),
  })
  .openapi('AdminPayout', { example: exampleFailed })

const AdminPayoutPage = pageOf(AdminPayoutSchema).openapi('AdminPayoutPage', { example: { data: [exampleFailed], nextCursor: null } })

const AdminPayoutQuery = PageQuery.extend({
  status: z.enum(payoutStatuses).optional().openapi({ description: 'Only payouts in this status', example: 'failed' }),
})

const listRoute = createRoute({
  method: 'get',
  path: '/admin/payouts',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admin: every seller’s payouts, newest first, optionally of one status (`pending`, `paid`, `failed`)',
  middleware: requireAccess('payouts.oversee'),
  request: { query: AdminPayoutQuery },
  responses: { 200: { description: 'A page of payouts', content: { 'application/json': { schema: AdminPayoutPage } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

export const adminPayoutRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(listRoute, async (c) => {
  const { status, limit, cursor } = c.req.valid('query')
  const rows = await listAllPayouts(database(c.env.DB), status, limit, cursor ? decodeCursor(cursor) : undefined)
  const { data, nextCursor } = page(rows, limit, (p) => p.id)
  return c.json(
    {
      data: data.map((p) => ({
        id: p.id,
        sellerId: p.sellerId,
        amount: { amount: p.amount, currency: p.currency },
        status: p.status,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        transferReference: p.transferReference,
        failureCode: p.failureCode,
      })),
      nextCursor,
    },
    200,
  )
})
