import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { audit } from '../audit/audit-adapters'
import { decodeCursor, page } from '../core/cursor'
import type { Currency } from '../core/money'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { json, PageQuery, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { MoneySchema } from '../listings/listing-schemas'
import { systemClock } from '../platform/runtime'
import { abandonedCheckout, listDisputes, pendingRefundsBefore } from './admin-order-store'
import { portsOf } from './order-adapters'
import { refundDue } from './order-payment'
import { DisputeOrderParam } from './order-schemas'
import { findOrder, findPayment, overduePendingOrders } from './order-store'
import { markRefunded } from './order-write-store'

/**
 * What the runbook used to do with SQL, as staff routes (docs/OPERATIONS.md): the disputes to
 * decide, orders stuck waiting for payment and their reconciliation, and refunds the provider
 * refused, retried or settled by hand. Each change is audited.
 */
const tags = ['Admin']
const security = [{ bearer: [] }]

/** A payment `refund_pending` this long is one the provider refused or never answered (the ledger check `refunds_complete`). */
const STUCK_REFUND_MS = 3_600_000
const LIST_LIMIT = 200

const exampleDispute = {
  orderId: exampleIds.order,
  reason: 'Not as described: the lamp is dented',
  openedAt: '2026-03-20T09:00:00.000Z',
  outcome: null,
  resolvedAt: null,
  buyerId: exampleIds.buyer,
  sellerId: exampleIds.seller,
  total: { amount: 4500, currency: 'EUR' },
  orderStatus: 'disputed',
} as const

const DisputeSchema = z
  .object({
    orderId: z.string(),
    reason: z.string(),
    openedAt: z.string(),
    outcome: z.enum(['refund', 'release']).nullable(),
    resolvedAt: z.string().nullable(),
    buyerId: z.string(),
    sellerId: z.string(),
    total: MoneySchema,
    orderStatus: z.string(),
  })
  .openapi('Dispute', { example: exampleDispute })

const DisputePage = z.object({ data: z.array(DisputeSchema), nextCursor: z.string().nullable() }).openapi('DisputePage', { example: { data: [exampleDispute], nextCursor: null } })

const exampleStuck = { id: exampleIds.order, buyerId: exampleIds.buyer, sellerId: exampleIds.seller, total: { amount: 4500, currency: 'EUR' }, paymentDueAt: '2026-03-16T10:15:00.000Z', createdAt: '2026-03-16T10:00:00.000Z' } as const
const StuckOrder = z
  .object({ id: z.string(), buyerId: z.string(), sellerId: z.string(), total: MoneySchema, paymentDueAt: z.string().nullable(), createdAt: z.string() })
  .openapi('OverdueOrder', { example: exampleStuck })
const StuckOrders = z.object({ data: z.array(StuckOrder) }).openapi('OverdueOrders', { example: { data: [exampleStuck] } })

const exampleRefund = { orderId: exampleIds.order, provider: 'stripe', providerRef: 'pi_3PxAmpleLamp0001', amount: { amount: 4500, currency: 'EUR' }, captured: true, since: '2026-03-16T10:20:00.000Z' } as const
const PendingRefund = z
  .object({
    orderId: z.string(),
    provider: z.string(),
    providerRef: z.string().openapi({ description: 'The payment at the provider (a Stripe PaymentIntent)' }),
    amount: MoneySchema,
    captured: z.boolean().openapi({ description: 'False: an authorization to void, no money moved' }),
    since: z.string().openapi({ description: 'When the refund became due' }),
  })
  .openapi('PendingRefund', { example: exampleRefund })
const PendingRefunds = z.object({ data: z.array(PendingRefund) }).openapi('PendingRefunds', { example: { data: [exampleRefund] } })

const RefundState = z
  .object({ orderId: z.string(), paymentStatus: z.enum(['captured', 'refund_pending', 'refunded']) })
  .openapi('RefundState', { example: { orderId: exampleIds.order, paymentStatus: 'refunded' } })

const CheckoutFate = z
  .object({
    orderId: z.string(),
    order: z.object({ status: z.string(), total: MoneySchema }).nullable().openapi({ description: 'The order, if it was written' }),
    abandoned: z.object({ reason: z.string(), at: z.string() }).nullable().openapi({ description: 'Given up before its order was written (`hold_expired`, `payment_timeout`): a charge that lands later is given back' }),
    payment: z.object({ status: z.enum(['captured', 'refund_pending', 'refunded']), captured: z.boolean(), amount: MoneySchema, providerRef: z.string() }).nullable().openapi({ description: 'The money Souk recorded for it' }),
  })
  .openapi('CheckoutFate', {
    example: { orderId: exampleIds.order, order: null, abandoned: { reason: 'hold_expired', at: '2026-03-16T10:15:00.000Z' }, payment: null },
  })

const DisputeQuery = PageQuery.extend({ status: z.enum(['open', 'resolved']).optional().openapi({ example: 'open' }) })

const staffOnly = { 401: problems[401], 403: problems[403] } as const

const disputesRoute = createRoute({
  method: 'get',
  path: '/admin/disputes',
  tags,
  security,
  summary: 'Staff: disputes, newest first: `open` ones wait for POST /v1/admin/disputes/{orderId}/resolve',
  middleware: requireAccess('disputes.resolve'),
  request: { query: DisputeQuery },
  responses: { 200: { description: 'A page of disputes', ...json(DisputePage) }, 400: problems[400], ...staffOnly },
})

const overdueRoute = createRoute({
  method: 'get',
  path: '/admin/orders/overdue',
  tags,
  security,
  summary: 'Staff: orders still waiting for payment after they were due (lost reconciliation), oldest first, up to 200',
  middleware: requireAccess('orders.oversee'),
  responses: { 200: { description: 'The overdue orders', ...json(StuckOrders) }, ...staffOnly },
})

const reconcileRoute = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/reconcile',
  tags,
  security,
  summary: 'Staff: ask the provider now where an order’s payment stands, and finish the order either way (as its reconcile job does)',
  middleware: requireAccess('orders.oversee'),
  request: { params: DisputeOrderParam },
  responses: { 202: { description: 'The reconcile job is queued', ...json(z.object({ orderId: z.string(), queued: z.literal(true) }).openapi('ReconcileQueued', { example: { orderId: exampleIds.order, queued: true } })) }, 400: problems[400], ...staffOnly, 404: problems[404] },
})

const checkoutFateRoute = createRoute({
  method: 'get',
  path: '/admin/checkouts/{orderId}',
  tags,
  security,
  summary: 'Staff: what became of a checkout, by the order id its answer carried (written, given up, its money)',
  middleware: requireAccess('orders.oversee'),
  request: { params: DisputeOrderParam },
  responses: { 200: { description: 'The checkout’s fate', ...json(CheckoutFate) }, 400: problems[400], ...staffOnly },
})

const refundsRoute = createRoute({
  method: 'get',
  path: '/admin/refunds/pending',
  tags,
  security,
  summary: 'Staff: refunds due for over an hour (the provider refused them, or never answered), oldest first, up to 200',
  middleware: requireAccess('orders.oversee'),
  responses: { 200: { description: 'The refunds still due', ...json(PendingRefunds) }, ...staffOnly },
})

const retryRefundRoute = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/refund/retry',
  tags,
  security,
  summary: 'Staff: send a refund that is still due to the provider again (once the cause of the refusal is fixed)',
  middleware: requireAccess('orders.oversee'),
  request: { params: DisputeOrderParam },
  responses: { 200: { description: 'Where the payment stands after the try', ...json(RefundState) }, 400: problems[400], ...staffOnly, 404: problems[404], 409: { description: '`invalid_transition`: no refund is due for this order', content: problems[409].content } },
})

const settleRefundRoute = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/refund/settled',
  tags,
  security,
  summary: 'Staff: record a refund given back by hand at the provider (the payment becomes `refunded`)',
  middleware: requireAccess('orders.oversee'),
  request: { params: DisputeOrderParam },
  responses: { 200: { description: 'The payment, refunded', ...json(RefundState) }, 400: problems[400], ...staffOnly, 404: problems[404], 409: { description: '`invalid_transition`: no refund is due for this order', content: problems[409].content } },
})

/** The order's payment, which must be `refund_pending` for the refund routes. */
async function dueRefund(c: { env: Env }, orderId: string) {
  const db = database(c.env.DB)
  if (!(await findOrder(db, orderId))) throw new Problem(404, 'not_found')
  const payment = await findPayment(db, orderId)
  if (payment?.status !== 'refund_pending') throw new Problem(409, 'invalid_transition', `No refund is due: the payment is ${payment?.status ?? 'missing'}`)
  return payment
}

export const adminOrderRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(disputesRoute, async (c) => {
    const { limit, cursor, status } = c.req.valid('query')
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (cursor !== undefined && after === undefined) throw new Problem(400, 'validation_failed', 'The cursor is not one this list gave')
    const { data, nextCursor } = page(await listDisputes(database(c.env.DB), { status, limit, cursor: after }), limit, (d) => d.orderId)
    return c.json({ data: data.map(({ total, currency, status: orderStatus, ...d }) => ({ ...d, total: { amount: total, currency: currency as Currency }, orderStatus })), nextCursor }, 200)
  })
  .openapi(overdueRoute, async (c) => {
    const rows = await overduePendingOrders(database(c.env.DB), systemClock().toISOString(), LIST_LIMIT)
    return c.json({ data: rows.map((o) => ({ id: o.id, buyerId: o.buyerId, sellerId: o.sellerId, total: { amount: o.total, currency: o.currency }, paymentDueAt: o.paymentDueAt, createdAt: o.createdAt })) }, 200)
  })
  .openapi(reconcileRoute, async (c) => {
    const { orderId } = c.req.valid('param')
    if (!(await findOrder(database(c.env.DB), orderId))) throw new Problem(404, 'not_found')
    // Attempt 0: asked once, past the usual bound, as the provider's own webhook is (payment-reconciliation.ts).
    await portsOf(c).jobs.reconcile(orderId, 0, 0)
    await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'order.reconcile_requested', subjectId: orderId })
    return c.json({ orderId, queued: true as const }, 202)
  })
  .openapi(checkoutFateRoute, async (c) => {
    const { orderId } = c.req.valid('param')
    const db = database(c.env.DB)
    const [order, abandoned, payment] = await Promise.all([findOrder(db, orderId), abandonedCheckout(db, orderId), findPayment(db, orderId)])
    return c.json(
      {
        orderId,
        order: order ? { status: order.status, total: { amount: order.total, currency: order.currency } } : null,
        abandoned: abandoned ?? null,
        payment: payment ? { status: payment.status, captured: payment.captured, amount: { amount: payment.amount, currency: payment.currency }, providerRef: payment.providerRef } : null,
      },
      200,
    )
  })
  .openapi(refundsRoute, async (c) => {
    const rows = await pendingRefundsBefore(database(c.env.DB), new Date(systemClock().getTime() - STUCK_REFUND_MS).toISOString(), LIST_LIMIT)
    return c.json({ data: rows.map(({ amount, currency, ...r }) => ({ ...r, amount: { amount, currency: currency as Currency } })) }, 200)
  })
  .openapi(retryRefundRoute, async (c) => {
    const { orderId } = c.req.valid('param')
    await dueRefund(c, orderId)
    await refundDue(portsOf(c), orderId, 0)
    await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'refund.retried_by_staff', subjectId: orderId })
    const after = await findPayment(database(c.env.DB), orderId)
    return c.json({ orderId, paymentStatus: after?.status ?? 'refund_pending' }, 200)
  })
  .openapi(settleRefundRoute, async (c) => {
    const { orderId } = c.req.valid('param')
    const payment = await dueRefund(c, orderId)
    await markRefunded(database(c.env.DB), orderId, systemClock().toISOString())
    await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'refund.settled_by_staff', subjectId: orderId, details: { providerRef: payment.providerRef, amount: payment.amount, currency: payment.currency } })
    return c.json({ orderId, paymentStatus: 'refunded' as const }, 200)
  })
