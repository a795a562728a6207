import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { isStaff } from '../accounts/scopes'
import { decodeCursor, page } from '../core/cursor'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { authorizeRequest, principalOf, requireAccess } from '../http/authorization'
import { jsonBody, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { portsOf } from './order-adapters'
import { acceptOrder, cancelOrder, openDispute, resolveDispute, shipOrder, type DisputeResult } from './order-commands'
import type { ActorKind } from './order-machine'
import { DisputeBody, DisputeOrderParam, OrderIdParam, OrderPage, OrderSchema, OrdersQuery, ResolveDisputeBody, ReviewBody, ReviewSchema, ShipBody } from './order-schemas'
import { findOrder, listOrders, orderCursor, orderHistories, orderHistory } from './order-store'
import { orderView, showsAddress, type OrderRecord, type OrderViewer } from './order-view'
import { personalDataOf } from '../pii/pii-adapters'
import { addReview } from './review-store'
import { audit, auditPersonalDataRead } from '../audit/audit-adapters'

const tags = ['Orders']
const security = [{ bearer: [] }]
const orderJson = { content: { 'application/json': { schema: OrderSchema } } }
const mutationResponses = { 200: { description: 'The order after the change', ...orderJson }, 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] }

const getOrderRoute = createRoute({
  method: 'get',
  path: '/orders/{id}',
  tags,
  security,
  summary: 'An order with its history; for its buyer, its seller or staff',
  middleware: requireAccess('orders.read'),
  request: { params: OrderIdParam },
  responses: { 200: { description: 'The order', ...orderJson }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

const listOrdersRoute = createRoute({
  method: 'get',
  path: '/orders',
  tags,
  security,
  summary: 'The caller’s orders as buyer (default) or seller, newest first',
  middleware: requireAccess('orders.read'),
  request: { query: OrdersQuery },
  responses: { 200: { description: 'A page of orders', content: { 'application/json': { schema: OrderPage } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const commandRoute = (path: string, summary: string) =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${path}`,
    tags,
    security,
    summary,
    middleware: requireAccess('orders.write'),
    request: { params: OrderIdParam },
    responses: mutationResponses,
  })

const commandWithBodyRoute = <T extends z.ZodType>(path: string, summary: string, schema: T) =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${path}`,
    tags,
    security,
    summary,
    middleware: requireAccess('orders.write'),
    request: { params: OrderIdParam, body: jsonBody(schema) },
    responses: { ...mutationResponses, 400: problems[400] },
  })

const shipRoute = commandWithBodyRoute('ship', 'Seller: paid → shipped, with the carrier’s tracking number', ShipBody)
const acceptRoute = commandRoute('accept', 'Buyer: delivered → completed; escrow goes to the seller')
const cancelRoute = commandRoute('cancel', 'Buyer before payment, seller before shipping; a paid order is refunded and its stock returns')
const disputeRoute = commandWithBodyRoute(
  'disputes',
  'Buyer, after delivery and before completion, or with `reason: "not_received"` once a shipped order is not delivered within the delivery window (409 `delivery_window_open` with `opensAt` before): hold escrow for staff to decide',
  DisputeBody,
)

const reviewRoute = createRoute({
  method: 'post',
  path: '/orders/{id}/reviews',
  tags,
  security,
  summary: 'Each party reviews the other once, after completion',
  middleware: requireAccess('orders.write'),
  request: { params: OrderIdParam, body: jsonBody(ReviewBody) },
  responses: { 201: { description: 'The review', content: { 'application/json': { schema: ReviewSchema } } }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] },
})

const resolveRoute = createRoute({
  method: 'post',
  path: '/admin/disputes/{orderId}/resolve',
  tags: ['Admin'],
  security,
  summary: 'Staff: decide a dispute — refund the buyer or release escrow to the seller',
  middleware: requireAccess('disputes.resolve'),
  request: { params: DisputeOrderParam, body: jsonBody(ResolveDisputeBody) },
  responses: { ...mutationResponses, 400: problems[400] },
})

/** The order, if the caller may see it (buyer, seller, staff); 404 otherwise, never revealing it exists. */
async function visibleOrder(c: Context<AppEnv>, id: string): Promise<{ order: OrderRecord; actor: Extract<ActorKind, 'buyer' | 'seller' | 'staff'> }> {
  const order = await findOrder(database(c.env.DB), id)
  if (!order) throw new Problem(404, 'not_found')
  const p = authorizeRequest(c, 'orders.read', { ownerIds: [order.buyerId, order.sellerId], visibility: 'private' })
  const actor = p.userId === order.buyerId ? 'buyer' : p.userId === order.sellerId ? 'seller' : isStaff(p.role) ? 'staff' : 'buyer'
  return { order, actor }
}

async function answer(c: Context<AppEnv>, result: DisputeResult, viewer: OrderViewer) {
  if (!result.ok) {
    const r = result.refusal
    if (r.code === 'delivery_window_open') throw new Problem(409, 'delivery_window_open', `The carrier may still deliver it; report it not received from ${r.opensAt}`, { extra: { opensAt: r.opensAt } })
    if (r.code === 'not_found') throw new Problem(404, 'not_found')
    if (r.code === 'forbidden') throw new Problem(403, 'forbidden', `Not allowed: ${r.reason}`)
    throw new Problem(409, 'invalid_transition', `The order is ${r.status}`, { extra: { currentStatus: r.status } })
  }
  return c.json(orderView(result.order, await orderHistory(database(c.env.DB), result.order.id), viewer, await addressFor(c, result.order, viewer)), 200)
}

/** The order's shipping address opened, when `viewer` may see it (so a seller's view opens nothing it would not show). */
async function addressFor(c: Context<AppEnv>, o: OrderRecord, viewer: OrderViewer): Promise<Record<string, string> | null> {
  if (o.shippingAddress === null || !showsAddress(viewer, o.status)) return null
  return personalDataOf(c.var.settings).openAddress(o.id, o.shippingAddress)
}

/** A staff member decides a dispute, on the record; the console's disputes page does it through here too. */
export async function resolveDisputeAsStaff(c: Context<AppEnv>, orderId: string, outcome: 'refund' | 'release'): Promise<DisputeResult> {
  const result = await resolveDispute(portsOf(c), orderId, outcome)
  if (result.ok) await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'dispute.resolved', subjectId: orderId, details: { outcome } })
  return result
}

export const orderRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(getOrderRoute, async (c) => {
    const { order, actor } = await visibleOrder(c, c.req.valid('param').id)
    // Staff who are neither party see the buyer's address: that read is on the record.
    if (actor === 'staff') {
      await auditPersonalDataRead(c.env, c.var.log, { staffId: principalOf(c).userId, subjectId: order.buyerId, what: 'order', resourceId: order.id, requestId: c.var.requestId, details: { sellerId: order.sellerId } })
    }
    return c.json(orderView(order, await orderHistory(database(c.env.DB), order.id), actor, await addressFor(c, order, actor)), 200)
  })
  .openapi(listOrdersRoute, async (c) => {
    const caller = principalOf(c)
    const { role, status, limit, cursor } = c.req.valid('query')
    const db = database(c.env.DB)
    const rows = await listOrders(db, caller.userId, role, limit, status, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, orderCursor)
    const histories = await orderHistories(db, data.map((o) => o.id))
    const addresses = await Promise.all(data.map((o) => addressFor(c, o, role)))
    return c.json({ data: data.map((o, i) => orderView(o, histories.get(o.id) ?? [], role, addresses[i] ?? null)), nextCursor }, 200)
  })
  .openapi(shipRoute, async (c) => {
    const { order, actor } = await visibleOrder(c, c.req.valid('param').id)
    const shipment = c.req.valid('json')
    const p = portsOf(c)
    if (shipment.carrier === 'sandbox' && !p.settings.sandboxCarrier) throw new Problem(422, 'unknown_carrier', 'The sandbox carrier runs only in development')
    if (actor !== 'seller') return answer(c, { ok: false, refusal: { code: 'forbidden', reason: 'only the seller ships' } }, actor)
    // A tracking number names one shipment: the carrier's events must find exactly one order.
    const other = await p.orders.findByShipment(shipment.carrier, shipment.trackingNumber)
    if (other && other.id !== order.id) throw new Problem(409, 'tracking_number_taken', `${shipment.carrier} ${shipment.trackingNumber} is another order's shipment`)
    return answer(c, await shipOrder(p, order.id, shipment), actor)
  })
  .openapi(acceptRoute, async (c) => {
    const { order, actor } = await visibleOrder(c, c.req.valid('param').id)
    if (actor !== 'buyer') return answer(c, { ok: false, refusal: { code: 'forbidden', reason: 'only the buyer accepts' } }, actor)
    return answer(c, await acceptOrder(portsOf(c), order.id), actor)
  })
  .openapi(cancelRoute, async (c) => {
    const { order, actor } = await visibleOrder(c, c.req.valid('param').id)
    const result = await cancelOrder(portsOf(c), order.id, actor)
    // Staff moving someone else's money (a paid order is refunded) is theirs to answer for.
    if (result.ok && actor === 'staff') await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'order.cancelled_by_staff', subjectId: order.id, details: { from: result.from } })
    return answer(c, result, actor)
  })
  .openapi(disputeRoute, async (c) => {
    const { order, actor } = await visibleOrder(c, c.req.valid('param').id)
    if (actor !== 'buyer') return answer(c, { ok: false, refusal: { code: 'forbidden', reason: 'only the buyer disputes' } }, actor)
    return answer(c, await openDispute(portsOf(c), order.id, c.req.valid('json').reason), actor)
  })
  .openapi(reviewRoute, async (c) => {
    const { order, actor } = await visibleOrder(c, c.req.valid('param').id)
    if (actor === 'staff') throw new Problem(403, 'forbidden', 'Not allowed: only the buyer and the seller review')
    if (order.status !== 'completed') throw new Problem(409, 'invalid_transition', `The order is ${order.status}; reviews open on completion`, { extra: { currentStatus: order.status } })
    const { rating, comment } = c.req.valid('json')
    const review = {
      orderId: order.id,
      authorId: actor === 'buyer' ? order.buyerId : order.sellerId,
      subjectId: actor === 'buyer' ? order.sellerId : order.buyerId,
      rating,
      comment: comment ?? null,
      createdAt: systemClock().toISOString(),
    }
    if (!(await addReview(database(c.env.DB), review))) throw new Problem(409, 'already_reviewed')
    return c.json(review, 201)
  })
  .openapi(resolveRoute, async (c) => {
    const { orderId } = c.req.valid('param')
    const { outcome } = c.req.valid('json')
    return answer(c, await resolveDisputeAsStaff(c, orderId, outcome), 'staff')
  })
