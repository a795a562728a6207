import { z } from '@hono/zod-openapi'
import { PageQuery, pageOf } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { textBlock, textLine } from '../http/text-schemas'
import { listingIdPattern, MoneySchema } from '../listings/listing-schemas'
import { orderStatuses } from './order-machine'

/** Request and response shapes of checkout, orders and balances (the API reference at /docs is generated from them; docs/PAYMENTS.md). */

export const ShippingAddress = z
  .strictObject({
    name: textLine(200),
    line1: textLine(200),
    line2: textLine(200).optional(),
    city: textLine(100),
    region: textLine(100).optional(),
    postalCode: textLine(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  })
  .openapi('ShippingAddress')

export const CheckoutBody = z
  .strictObject({
    items: z
      .array(z.strictObject({ listingId: z.string().regex(listingIdPattern, 'must be a listing id'), quantity: z.number().int().min(1).max(10_000) }))
      .min(1)
      .max(20)
      .refine((items) => new Set(items.map((i) => i.listingId)).size === items.length, 'each listing at most once'),
    paymentMethod: z.string().regex(/^pm_[A-Za-z0-9_]{1,100}$/, 'must be a payment method token (pm_…)'),
    shippingAddress: ShippingAddress,
  })
  .openapi('CheckoutRequest', {
    example: {
      items: [{ listingId: exampleIds.listing, quantity: 1 }],
      paymentMethod: 'pm_card_visa',
      shippingAddress: { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
    },
  })

export const orderIdPattern = /^ord_[0-9a-z]{26}$/
export const OrderIdParam = z.object({ id: z.string().regex(orderIdPattern, 'must be an order id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.order }) })
export const DisputeOrderParam = z.object({ orderId: z.string().regex(orderIdPattern, 'must be an order id').openapi({ param: { name: 'orderId', in: 'path' }, example: exampleIds.order }) })

/** Ada's order of the lamp, paid: the Order example, and the one in pages that hold it. */
const exampleOrder = {
  id: exampleIds.order,
  buyerId: exampleIds.buyer,
  sellerId: exampleIds.seller,
  status: 'paid',
  items: [{ listingId: exampleIds.listing, quantity: 1, unitPrice: { amount: 4500, currency: 'EUR' } }],
  total: { amount: 4500, currency: 'EUR' },
  shippingAddress: { name: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
  createdAt: '2026-03-16T10:04:00.000Z',
  updatedAt: '2026-03-16T10:04:01.000Z',
  history: [
    { status: 'pending_payment', at: '2026-03-16T10:04:00.000Z' },
    { status: 'paid', at: '2026-03-16T10:04:01.000Z' },
  ],
}

export const OrderSchema = z
  .object({
    id: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    status: z.enum(orderStatuses),
    items: z.array(z.object({ listingId: z.string(), quantity: z.number().int(), unitPrice: MoneySchema })),
    total: MoneySchema,
    shippingAddress: z.record(z.string(), z.string()).optional(),
    paymentDueAt: z.string().optional().openapi({ description: 'While pending_payment: when it is cancelled unless paid' }),
    shipment: z.object({ carrier: z.string(), trackingNumber: z.string(), deliveredAt: z.string().nullable() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    history: z.array(z.object({ status: z.enum(orderStatuses), at: z.string() })),
  })
  .openapi('Order', { example: exampleOrder })

export const OrderPage = pageOf(OrderSchema).openapi('OrderPage', { example: { data: [exampleOrder], nextCursor: null } })

export const OrdersQuery = PageQuery.extend({
  role: z.enum(['buyer', 'seller']).default('buyer'),
  status: z.enum(orderStatuses).optional(),
})

export const ShipBody = z
  .strictObject({
    carrier: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be a carrier slug (e.g. sandbox, ups, dhl)'),
    trackingNumber: z.string().regex(/^[A-Za-z0-9-]{4,64}$/, 'must be 4–64 letters, digits or dashes'),
  })
  .openapi('ShipRequest', { example: { carrier: 'ups', trackingNumber: exampleIds.trackingNumber } })

export const DisputeBody = z.strictObject({ reason: textLine(2000) }).openapi('DisputeRequest', { example: { reason: 'The lamp arrived with a cracked glass chimney; photos sent to the seller.' } })
export const ResolveDisputeBody = z.strictObject({ outcome: z.enum(['refund', 'release']) }).openapi('ResolveDisputeRequest', { example: { outcome: 'refund' } })

export const ReviewBody = z
  .strictObject({ rating: z.number().int().min(1).max(5), comment: textBlock(2000).optional() })
  .openapi('ReviewRequest', { example: { rating: 5, comment: 'Beautiful lamp, carefully packed.' } })
export const ReviewSchema = z
  .object({ orderId: z.string(), authorId: z.string(), subjectId: z.string(), rating: z.number().int(), comment: z.string().nullable(), createdAt: z.string() })
  .openapi('Review', {
    example: { orderId: exampleIds.order, authorId: exampleIds.buyer, subjectId: exampleIds.seller, rating: 5, comment: 'Beautiful lamp, carefully packed.', createdAt: '2026-03-21T18:12:00.000Z' },
  })


