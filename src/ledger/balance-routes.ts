import { assessPayout, requestOrigin } from '../risk/risk-adapters'
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { settingsOf } from '../config'
import type { AppEnv } from '../env'
import { database } from '../db/client'
import { principalOf, requireAccess } from '../http/authorization'
import { decodeCursor, page } from '../core/cursor'
import { jsonBody, PageQuery, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { requiredIdempotencyKeyParameter, requireIdempotencyKey } from '../http/require-idempotency-key'
import { requireStepUp, StepUpHeaders } from '../http/step-up'
import { validationProblem } from '../http/validation-problem'
import { BalanceSchema, PayoutBody, PayoutPage, PayoutSchema } from './balance-schemas'
import { newId, systemClock } from '../platform/runtime'
import { sellerBalances } from './ledger-store'
import { listPayouts, recordPayout } from './payout-store'
import { audit } from '../audit/audit-adapters'
import { isVerified } from '../kyc/verification-store'
import { queuePayoutTransfer } from '../payouts/payout-adapters'

const tags = ['Balance']
const security = [{ bearer: [] }]

const balanceRoute = createRoute({
  method: 'get',
  path: '/me/balance',
  tags,
  security,
  summary: 'The caller’s money as a seller: pending (in escrow) and available (can be paid out), per currency',
  middleware: requireAccess('orders.read'),
  responses: { 200: { description: 'Balance', content: { 'application/json': { schema: BalanceSchema } } }, 401: problems[401], 403: problems[403] },
})

const payoutRoute = createRoute({
  method: 'post',
  path: '/me/payouts',
  tags,
  security,
  summary: 'Pay out part of the available balance to the seller’s account at the payout provider. Needs a verified seller (403 kyc_required), an Idempotency-Key and, for users with a second factor, X-MFA-Code',
  middleware: [requireAccess('payouts.write'), requireIdempotencyKey(), requireStepUp()] as const,
  parameters: [requiredIdempotencyKeyParameter],
  request: { headers: StepUpHeaders, body: jsonBody(PayoutBody) },
  responses: {
    201: { description: 'Payout recorded `pending`; a job transfers it and it ends `paid`, or `failed` with the money back in the available balance', content: { 'application/json': { schema: PayoutSchema } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problems[409],
    422: problems[422],
  },
})

const listPayoutsRoute = createRoute({
  method: 'get',
  path: '/me/payouts',
  tags,
  security,
  summary: 'The caller’s payouts with their status (`pending`, `paid`, `failed`), newest first',
  middleware: requireAccess('orders.read'),
  request: { query: PageQuery },
  responses: { 200: { description: 'A page of payouts', content: { 'application/json': { schema: PayoutPage } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

export const balanceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(balanceRoute, async (c) => {
    const me = principalOf(c)
    const balances = await sellerBalances(database(c.env.DB), me.userId, settingsOf(c.env).checkout.platformFeeBps)
    return c.json(
      {
        available: balances.map((b) => ({ amount: b.available, currency: b.currency })),
        pending: balances.map((b) => ({ amount: b.pending, currency: b.currency })),
      },
      200,
    )
  })
  .openapi(listPayoutsRoute, async (c) => {
    const me = principalOf(c)
    const { limit, cursor } = c.req.valid('query')
    const rows = await listPayouts(database(c.env.DB), me.userId, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, (p) => p.id)
    return c.json({ data: data.map((p) => ({ id: p.id, amount: { amount: p.amount, currency: p.currency }, status: p.status, createdAt: p.createdAt })), nextCursor }, 200)
  })
  .openapi(payoutRoute, async (c) => {
    const me = principalOf(c)
    const { amount } = c.req.valid('json')
    const db = database(c.env.DB)
    // Before anything is recorded: money leaves only for a seller whose identity was verified.
    if (!(await isVerified(db, me.userId))) throw new Problem(403, 'kyc_required', 'Verify your identity first (POST /v1/me/verification)')
    const now = systemClock()
    const payout = { id: newId('pyo', now), sellerId: me.userId, amount: amount.amount, currency: amount.currency, status: 'pending' as const, createdAt: now.toISOString() }
    const risk = await assessPayout(c.env, c.var.settings, c.var.log, { payoutId: payout.id, userId: me.userId, amount: amount.amount, origin: await requestOrigin(c), nowMs: now.getTime() })
    if (risk.verdict === 'block') throw new Problem(403, 'risk_blocked', 'This payout cannot go ahead; contact support if you think this is wrong')
    // Held for review: recorded (the money leaves the available balance) with its review, and not transferred until staff approve.
    const held = risk.verdict === 'review' ? { id: newId('rsk', now), reasons: risk.reasons } : undefined
    if (!(await recordPayout(db, payout, newId('txn', now), held))) throw new Problem(409, 'insufficient_balance', `The available ${amount.currency} balance is less than the payout`)
    await audit(c.env, c.var.log, { actorId: me.userId, action: 'payout.requested', subjectId: payout.id, details: { amount: amount.amount, currency: amount.currency } })
    // The transfer job. If the queue refuses it now, the payout is recorded all the same and the
    // housekeeping sweep queues it again (docs/OPERATIONS.md "Payouts"); the seller is not told to retry.
    if (!held) await queuePayoutTransfer(c.env, payout.id).catch((err: unknown) => c.var.log.warn('payout_job_unqueued', { payoutId: payout.id, err }))
    return c.json({ id: payout.id, amount, status: payout.status, createdAt: payout.createdAt }, 201)
  })
