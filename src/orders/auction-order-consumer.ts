import type { SoukEvent } from '../events/contract/souk-event'
import { listingStub } from '../listings/listing-object'
import { orderPorts } from './order-adapters'
import { auctionOrderId } from './order-view'
import { reservationFate } from './reservation-fate'

/**
 * The `auction-orders` consumer: a won auction becomes an order `pending_payment` for the winner (one per listing, so a
 * redelivered event finds it made), and the winner's hold is bound to it: from then on the hold's
 * lapse asks the order's fate, and an unpaid win is cancelled when the payment deadline passes.
 * The winner pays it through `POST /v1/checkout` like any other order.
 */
export async function openAuctionOrder(e: SoukEvent, env: Env): Promise<void> {
  if (e.aggregate !== 'listing' || e.event.type !== 'auction.won') return
  const { event: parsed, listing, envelope: event } = e
  const orderId = auctionOrderId(listing.id)
  const p = orderPorts(env)
  const order = await p.orders.create({
    id: orderId,
    buyerId: parsed.private.winnerId,
    sellerId: listing.sellerId,
    status: 'pending_payment',
    currency: parsed.data.price.currency,
    total: parsed.data.price.amount,
    items: [{ listingId: listing.id, quantity: 1, unitPrice: parsed.data.price.amount }],
    shippingAddress: null,
    checkoutKey: null,
    source: 'auction',
    paymentMethod: null,
    paymentDueAt: parsed.data.paymentDueAt,
    carrier: null,
    trackingNumber: null,
    deliveredAt: null,
    version: 1,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
  })
  const claimed = await listingStub(env, listing.id).claim(parsed.private.reservationId, order.id)
  if (claimed.ok) return
  // The hold is gone (it lapsed before this ran): the win expires with it, as a lapse would do.
  if (claimed.rejection.code === 'reservation_not_found' || claimed.rejection.code === 'reservation_released') {
    await reservationFate(p, order.id, listing.id)
    return
  }
  throw new Error(`claim of ${listing.id} for ${order.id} refused: ${claimed.rejection.code}`)
}
