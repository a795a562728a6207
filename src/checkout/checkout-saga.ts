import { money, MAX_AMOUNT, type Currency } from '../core/money'
import type { Quote } from '../listings/stock'
import { stockFate } from '../orders/order-machine'
import type { OrderPorts } from '../orders/order-ports'
import { auctionOrderId, type OrderRecord } from '../orders/order-view'
import { gatewayKeys, type DeclineCode } from '../payments/gateway'
import { commitStock, completePayment, settleUnpaid, type PaymentResult } from './order-payment'

/**
 * The checkout saga (DESIGN "Checkout, the one saga to get right"), as orchestration over ports:
 * risk → order `pending_payment` → reserve each line in listing-id order → authorize with the
 * order id as the provider's idempotency key → capture, `paid` with the ledger in one batch,
 * commit. Every step can be run again: a retry with the same checkout key finds the order and
 * resumes from where it stands, and reconciliation finishes what no client comes back for.
 */
export type CheckoutItem = { listingId: string; quantity: number }

export type CheckoutRequest = {
  buyerId: string
  /** The caller's Idempotency-Key: one key, one order, at most one capture. */
  key: string
  items: CheckoutItem[]
  paymentMethod: string
  shippingAddress: Record<string, string>
  /** The caller proved a second factor with this request (answers a risk challenge). */
  steppedUp: boolean
}

export type CheckoutRejection =
  | { code: 'not_found'; listingId: string }
  | { code: 'sold_out'; listingId: string; available: number }
  | { code: 'listing_closed' | 'not_for_sale' | 'own_listing'; listingId: string }
  | { code: 'price_changed'; listingId: string; unitPrice: number }
  | { code: 'multiple_sellers' | 'currency_mismatch' | 'invalid_checkout'; reason: string }
  | { code: 'risk_blocked' | 'mfa_required'; reasons: string[] }
  | { code: 'payment_declined'; order: OrderRecord; declineCode: DeclineCode }
  /** The order was cancelled (its hold lapsed, or a reservation failed); nothing was charged for it. */
  | { code: 'checkout_cancelled'; order: OrderRecord }
  /** The provider could not be asked (breaker open, rate limit): the order and its holds wait for a retry. */
  | { code: 'payments_unavailable'; order: OrderRecord }
  | { code: 'invalid_transition'; order: OrderRecord }

export type CheckoutResult = { kind: 'paid'; order: OrderRecord } | { kind: 'pending'; order: OrderRecord } | { kind: 'rejected'; rejection: CheckoutRejection }

const rejected = (rejection: CheckoutRejection): CheckoutResult => ({ kind: 'rejected', rejection })

export async function runCheckout(p: OrderPorts, req: CheckoutRequest): Promise<CheckoutResult> {
  const existing = await p.orders.findByCheckoutKey(req.buyerId, req.key)
  if (existing) return pay(p, existing)

  const items = [...req.items].sort((a, b) => (a.listingId < b.listingId ? -1 : a.listingId > b.listingId ? 1 : 0))
  const quotes: Quote[] = []
  for (const [i, result] of (await Promise.all(items.map((i) => p.stock.quote(i.listingId, req.buyerId, i.quantity)))).entries()) {
    const listingId = items[i]?.listingId ?? ''
    if (result.ok) quotes.push(result.value)
    else if (result.rejection.code === 'sold_out') return rejected({ code: 'sold_out', listingId, available: result.rejection.available })
    else if (result.rejection.code === 'price_changed') return rejected({ code: 'price_changed', listingId, unitPrice: result.rejection.unitPrice })
    else if (result.rejection.code === 'not_found' || result.rejection.code === 'listing_closed' || result.rejection.code === 'not_for_sale' || result.rejection.code === 'own_listing')
      return rejected({ code: result.rejection.code, listingId })
    else return rejected({ code: 'invalid_checkout', reason: `${listingId}: ${result.rejection.code}` })
  }
  const terms = orderTerms(quotes, items)
  if ('code' in terms) return rejected(terms)

  const risk = await p.risk.assessCheckout({ buyerId: req.buyerId, total: money(terms.total, terms.currency), lineCount: items.length })
  if (risk.verdict === 'block') return rejected({ code: 'risk_blocked', reasons: risk.reasons })
  if ((risk.verdict === 'challenge' || risk.verdict === 'review') && !req.steppedUp) return rejected({ code: 'mfa_required', reasons: risk.reasons })

  const won = quotes.find((q) => q.hold?.source === 'auction')
  if (won?.hold) {
    // A won auction already has its order (made when the auction ended): this checkout pays it.
    if (items.length !== 1) return rejected({ code: 'invalid_checkout', reason: 'a won auction is checked out on its own' })
    const orderId = auctionOrderId(won.listingId)
    await p.orders.adopt(orderId, req.buyerId, req.key, req.shippingAddress, req.paymentMethod)
    const order = await p.orders.get(orderId)
    if (!order) return rejected({ code: 'invalid_checkout', reason: 'the auction order is not ready yet; try again shortly' })
    if (order.checkoutKey !== req.key) return rejected({ code: 'invalid_transition', order })
    return pay(p, order)
  }

  const now = p.now()
  const holdExpiry = quotes.map((q) => q.hold?.expiresAt).find((t) => t !== undefined)
  const order = await p.orders.create({
    id: p.newId('ord'),
    buyerId: req.buyerId,
    sellerId: terms.sellerId,
    status: 'pending_payment',
    currency: terms.currency,
    total: terms.total,
    items: items.map((i, n) => ({ listingId: i.listingId, quantity: i.quantity, unitPrice: quotes[n]?.unitPrice ?? 0 })),
    shippingAddress: req.shippingAddress,
    checkoutKey: req.key,
    source: 'checkout',
    paymentMethod: req.paymentMethod,
    // holdMs to pay, or less if an accepted offer's hold ends sooner; never more, so an offer's
    // long deadline cannot stretch the hold on the order's other lines.
    paymentDueAt: new Date(Math.min(now.getTime() + p.settings.holdMs, holdExpiry ? Date.parse(holdExpiry) : Infinity)).toISOString(),
    carrier: null,
    trackingNumber: null,
    deliveredAt: null,
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  })
  return pay(p, order)
}

/** One seller, one currency, a total that money can hold. */
function orderTerms(quotes: Quote[], items: CheckoutItem[]): { sellerId: string; currency: Currency; total: number } | Extract<CheckoutRejection, { reason: string }> {
  const first = quotes[0]
  if (!first) return { code: 'invalid_checkout', reason: 'no items' }
  // A line per listing: a repeated one would reserve once (same order id) and be charged twice.
  if (new Set(items.map((i) => i.listingId)).size !== items.length) return { code: 'invalid_checkout', reason: 'each listing at most once' }
  if (quotes.some((q) => q.sellerId !== first.sellerId)) return { code: 'multiple_sellers', reason: 'all items must come from one seller' }
  if (quotes.some((q) => q.currency !== first.currency)) return { code: 'currency_mismatch', reason: 'all items must be priced in one currency' }
  const total = quotes.reduce((sum, q, i) => sum + q.unitPrice * (items[i]?.quantity ?? 0), 0)
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_AMOUNT) return { code: 'invalid_checkout', reason: 'the total is out of range' }
  return { sellerId: first.sellerId, currency: first.currency, total }
}

/** Takes an order from wherever it stands to paid (or as far as the provider's answer allows). */
async function pay(p: OrderPorts, order: OrderRecord): Promise<CheckoutResult> {
  const fate = stockFate(order.status)
  if (fate === 'commit') {
    await commitStock(p, order)
    return { kind: 'paid', order }
  }
  if (fate === 'release') return rejected({ code: 'checkout_cancelled', order })

  const due = order.paymentDueAt ? Date.parse(order.paymentDueAt) : p.now().getTime() + p.settings.holdMs
  if (p.now().getTime() >= due) {
    // Resumed too late: the hold is over, and no charge may start now.
    const after = (await settleUnpaid(p, order.id, 'payment_timeout')) ?? order
    return stockFate(after.status) === 'commit' ? { kind: 'paid', order: after } : rejected({ code: 'checkout_cancelled', order: after })
  }
  for (const line of [...order.items].sort((a, b) => (a.listingId < b.listingId ? -1 : 1))) {
    const held = await p.stock
      .reserve(line.listingId, {
        reservationId: order.id,
        holderId: order.buyerId,
        quantity: line.quantity,
        ttlMs: Math.max(1000, due - p.now().getTime()),
        expectedUnitPrice: line.unitPrice,
      })
      .catch(async (err: unknown) => {
        // The listing could not be asked: the order is left with whatever it holds, and a timer
        // (reconciliation cancels it when due, releasing the lines) so it does not wait on cron.
        await p.jobs.reconcile(order.id, 1, p.settings.reconcileDelaySeconds)
        throw err
      })
    if (held.ok) continue
    // Compensate: the order is cancelled and whatever it held goes back.
    const after = (await settleUnpaid(p, order.id, `reservation_failed:${held.rejection.code}`)) ?? order
    if (stockFate(after.status) === 'commit') return { kind: 'paid', order: after }
    const r = held.rejection
    if (r.code === 'sold_out') return rejected({ code: 'sold_out', listingId: line.listingId, available: r.available })
    if (r.code === 'price_changed') return rejected({ code: 'price_changed', listingId: line.listingId, unitPrice: r.unitPrice })
    if (r.code === 'not_found' || r.code === 'listing_closed' || r.code === 'not_for_sale' || r.code === 'own_listing') return rejected({ code: r.code, listingId: line.listingId })
    return rejected({ code: 'checkout_cancelled', order: after })
  }

  // The watchdog goes out before the charge: whatever happens to this request from here on,
  // reconciliation will ask the provider and finish the order.
  await p.jobs.reconcile(order.id, 1, p.settings.reconcileDelaySeconds)
  const amount = money(order.total, order.currency)
  const authorized = await p.gateway.authorize({ key: gatewayKeys(order.id).authorize, orderId: order.id, amount, paymentMethod: order.paymentMethod ?? '' })
  switch (authorized.status) {
    case 'succeeded':
      return paymentResult(await completePayment(p, order, authorized.paymentId))
    case 'declined': {
      const after = (await settleUnpaid(p, order.id, 'payment_declined')) ?? order
      if (stockFate(after.status) === 'commit') return { kind: 'paid', order: after }
      return rejected({ code: 'payment_declined', order: after, declineCode: authorized.code })
    }
    case 'unknown': {
      p.log.warn('payment_outcome_unknown', { orderId: order.id, reason: authorized.reason })
      // Another path (the provider's webhook, reconciliation) may have settled it meanwhile: answer as it stands.
      const current = (await p.orders.get(order.id)) ?? order
      if (stockFate(current.status) === 'commit') return { kind: 'paid', order: current }
      if (stockFate(current.status) === 'release') return rejected({ code: 'checkout_cancelled', order: current })
      return { kind: 'pending', order: current }
    }
    case 'unavailable':
      p.log.warn('payments_unavailable', { orderId: order.id, reason: authorized.reason })
      return rejected({ code: 'payments_unavailable', order })
  }
}

function paymentResult(r: PaymentResult): CheckoutResult {
  switch (r.kind) {
    case 'paid':
      return { kind: 'paid', order: r.order }
    case 'pending':
      return { kind: 'pending', order: r.order }
    case 'declined':
      return rejected({ code: 'payment_declined', order: r.order, declineCode: r.code })
    case 'cancelled':
      return rejected({ code: 'checkout_cancelled', order: r.order })
  }
}
