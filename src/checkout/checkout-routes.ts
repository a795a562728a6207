import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { secondFactorFor } from '../accounts/second-factor-adapters'
import type { AppEnv } from '../env'
import { principalOf, refusalProblem, requireAccess } from '../http/authorization'
import { unauthenticated } from '../http/unauthenticated'
import { jsonBody, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { requiredIdempotencyKeyParameter, requireIdempotencyKey } from '../http/require-idempotency-key'
import { steppedUp, StepUpHeaders } from '../http/step-up'
import { validationProblem } from '../http/validation-problem'
import { portsOf } from '../orders/order-adapters'
import { CheckoutBody, OrderSchema } from '../orders/order-schemas'
import { orderView } from '../orders/order-view'
import { personalDataOf } from '../pii/pii-adapters'
import type { CheckoutRejection } from './checkout-context'
import { checkoutOrderId } from './checkout-order-id'
import { runCheckout } from './checkout-saga'
import { requestOrigin } from '../risk/risk-adapters'

const orderJson = { content: { 'application/json': { schema: OrderSchema } } }

const checkoutRoute = createRoute({
  method: 'post',
  path: '/checkout',
  tags: ['Checkout'],
  security: [{ bearer: [] }],
  summary: 'Buy: one seller’s items as one order, all or nothing. Requires Idempotency-Key; retry with the same key after any failure',
  middleware: [requireAccess('checkout'), requireIdempotencyKey()] as const,
  parameters: [requiredIdempotencyKeyParameter],
  request: { headers: StepUpHeaders, body: jsonBody(CheckoutBody) },
  responses: {
    201: { description: 'Paid: the money is in escrow and the stock is sold', ...orderJson },
    202: { description: 'pending_payment: the provider has not answered yet; the order is finished by reconciliation', ...orderJson },
    400: problems[400],
    401: problems[401],
    402: problems[402],
    403: problems[403],
    404: problems[404],
    409: problems[409],
    422: problems[422],
    503: problems[503],
  },
})

function checkoutProblem(r: CheckoutRejection): Problem {
  switch (r.code) {
    case 'not_found':
      return new Problem(404, 'not_found', `No listing ${r.listingId}`, { extra: { listingId: r.listingId } })
    case 'sold_out':
      return new Problem(409, 'sold_out', undefined, { extra: { listingId: r.listingId, available: r.available } })
    case 'listing_closed':
    case 'not_for_sale':
    case 'own_listing':
    case 'seller_frozen':
      return new Problem(409, r.code, undefined, { extra: { listingId: r.listingId } })
    case 'price_changed':
      return new Problem(409, 'price_changed', 'Check out again at the new price', { extra: { listingId: r.listingId, unitPrice: r.unitPrice } })
    case 'multiple_sellers':
    case 'currency_mismatch':
    case 'invalid_checkout':
      return new Problem(422, r.code, r.reason)
    case 'awaiting_payment':
      return new Problem(422, 'invalid_checkout', 'the auction order is not ready yet; try again shortly')
    case 'unauthenticated':
      return unauthenticated('The token is invalid, expired or revoked')
    case 'account_frozen':
      return refusalProblem({ status: 403, code: 'account_frozen' })
    case 'risk_blocked':
      return new Problem(403, 'risk_blocked', 'This checkout cannot go ahead; contact support if you think this is wrong')
    case 'mfa_required':
      return new Problem(401, 'mfa_required', 'This checkout needs a current one-time code in X-MFA-Code')
    case 'payment_declined':
      return new Problem(402, 'payment_declined', `The payment method was declined (${r.declineCode})`, { extra: { orderId: r.orderId, declineCode: r.declineCode } })
    case 'checkout_cancelled':
      return new Problem(409, 'checkout_cancelled', 'This checkout’s order was cancelled; start a new checkout with a new key', { extra: { orderId: r.orderId } })
    case 'payments_unavailable':
      return new Problem(503, 'payments_unavailable', undefined, { extra: { orderId: r.orderId }, headers: { 'Retry-After': '5' } })
    case 'invalid_transition':
      return new Problem(409, 'invalid_transition', `The order is ${r.status}`, { extra: { orderId: r.orderId, currentStatus: r.status } })
  }
}

export const checkoutRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(checkoutRoute, async (c) => {
  const buyer = principalOf(c)
  const body = c.req.valid('json')
  const key = c.req.header('Idempotency-Key') ?? ''
  const orderId = await checkoutOrderId(buyer.userId, key)
  const result = await runCheckout(portsOf(c), {
    buyerId: buyer.userId,
    key,
    orderId,
    items: body.items,
    paymentMethod: body.paymentMethod,
    // Sealed once, for the order it goes on: the one AES-GCM encryption checkout adds (no D1 statement, no round trip).
    sealAddress: (id) => personalDataOf(c.var.settings).sealAddress(id, body.shippingAddress),
    steppedUp: await steppedUp(secondFactorFor(c.env), buyer.userId, c.req.header('x-mfa-code')),
    credentialHash: c.var.credential?.tokenHash ?? null,
    shippingCountry: body.shippingAddress.country,
    origin: await requestOrigin(c),
  })
  if (result.kind === 'rejected') throw checkoutProblem(result.rejection)
  if (result.kind === 'decided') throw new Error('a decided checkout is answered from its order')
  c.header('Location', `/v1/orders/${result.order.id}`)
  // The order holds this request's address (an Idempotency-Key with another body never gets here), so it is shown without opening it again.
  const view = orderView(result.order, result.history.map(({ status, at }) => ({ status, at })), 'buyer', body.shippingAddress)
  return result.kind === 'paid' ? c.json(view, 201) : c.json(view, 202)
})
