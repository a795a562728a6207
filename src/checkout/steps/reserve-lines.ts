import { StepRejected, type Step } from '../../core/saga'
import { MAX_AMOUNT } from '../../core/money'
import type { ReservedLine, StockRejection } from '../../listings/stock'
import type { NotFound } from '../../orders/order-ports'
import type { Checkout, CheckoutRejection } from '../checkout-context'

/**
 * PAYMENTS.md saga step reserve-lines: each line is held in its listing's object, in a fixed order of
 * listing id, under the order id, and the hold answers what the order needs (price, currency,
 * seller, title): there is no separate quote. Nothing is written to D1 here, so a checkout that
 * loses the race for the last unit costs D1 nothing. Its compensation releases, by order id, the
 * lines this run newly held, and only those: a hold an earlier try of the same key made may carry
 * a charge already taken (reconciliation finishes it), and a line refused holds nothing.
 */
export const reserveLines: Step<Checkout> = {
  name: 'reserve-lines',
  async run(ck) {
    const { request, ports } = ck
    for (const item of [...request.items].sort((a, b) => (a.listingId < b.listingId ? -1 : a.listingId > b.listingId ? 1 : 0))) {
      const held = await ports.stock.reserve(item.listingId, { reservationId: request.orderId, holderId: request.buyerId, quantity: item.quantity, ttlMs: ports.settings.holdMs })
      if (!held.ok) throw new StepRejected(lineRejection(item.listingId, held.rejection))
      if (held.value.state === 'committed') {
        // An earlier try of this checkout was paid: what this run held on the way is given back.
        await releaseFresh(ck)
        ck.result = { kind: 'decided', orderId: request.orderId }
        return 'halt'
      }
      if (held.value.fresh) ck.fresh.push(item.listingId)
      ck.lines.push(held.value.line)
      const terms = orderTerms(ck.lines)
      if (terms) throw new StepRejected(terms)
    }
    const first = ck.lines[0]
    if (!first) throw new StepRejected<CheckoutRejection>({ code: 'invalid_checkout', reason: 'no items' })
    ck.draft = {
      id: request.orderId,
      buyerId: request.buyerId,
      sellerId: first.sellerId,
      currency: first.currency,
      total: ck.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0),
      items: ck.lines.map((l) => ({ listingId: l.listingId, quantity: l.quantity, unitPrice: l.unitPrice })),
      shippingAddress: await request.sealAddress(request.orderId),
      checkoutKey: request.key,
      paymentMethod: request.paymentMethod,
      // An accepted offer's hold keeps its own deadline; the order is due when its first hold ends.
      paymentDueAt: ck.lines.map((l) => l.expiresAt).sort()[0] ?? first.expiresAt,
      createdAt: ck.now.toISOString(),
    }
    return 'next'
  },
  compensate: releaseFresh,
}

async function releaseFresh(ck: Checkout): Promise<void> {
  const listings = ck.fresh.splice(0)
  await Promise.all(listings.map((listingId) => ck.ports.stock.release(listingId, ck.request.orderId)))
}

/** One seller, one currency, a total that money can hold (checked as lines come in). */
function orderTerms(lines: ReservedLine[]): CheckoutRejection | undefined {
  const [first, ...rest] = lines
  if (!first) return undefined
  if (rest.some((l) => l.sellerId !== first.sellerId)) return { code: 'multiple_sellers', reason: 'all items must come from one seller' }
  if (rest.some((l) => l.currency !== first.currency)) return { code: 'currency_mismatch', reason: 'all items must be priced in one currency' }
  const total = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0)
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_AMOUNT) return { code: 'invalid_checkout', reason: 'the total is out of range' }
  return undefined
}

function lineRejection(listingId: string, r: StockRejection | NotFound): CheckoutRejection {
  switch (r.code) {
    case 'sold_out':
      return { code: 'sold_out', listingId, available: r.available }
    case 'price_changed':
      return { code: 'price_changed', listingId, unitPrice: r.unitPrice }
    case 'not_found':
    case 'listing_closed':
    case 'not_for_sale':
    case 'own_listing':
    case 'seller_frozen':
      return { code: r.code, listingId }
    case 'awaiting_payment':
      return { code: 'awaiting_payment', orderId: r.orderId }
    case 'reservation_released':
      // This checkout's hold was released before (its order cancelled or given up).
      return { code: 'checkout_cancelled', orderId: '' }
    case 'invalid_reservation':
    case 'reservation_conflict':
    case 'reservation_not_found':
    case 'already_committed':
      return { code: 'invalid_checkout', reason: `${listingId}: ${r.code}` }
  }
}
