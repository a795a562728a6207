import { money, type Currency, type Money } from '../core/money'
import type { OrderStatus } from './order-machine'

/** An order as its parties see it (the `Order` schema of the API reference at /docs). */
export type OrderRecord = {
  id: string
  buyerId: string
  sellerId: string
  status: OrderStatus
  currency: Currency
  total: number
  items: { listingId: string; quantity: number; unitPrice: number }[]
  /** Sealed (pii/pii-adapters.ts `openAddress` reads it); null when there is none. */
  shippingAddress: string | null
  checkoutKey: string | null
  source: 'checkout' | 'auction'
  /** The provider token the buyer pays with; set by the checkout that pays the order. */
  paymentMethod: string | null
  paymentDueAt: string | null
  carrier: string | null
  trackingNumber: string | null
  deliveredAt: string | null
  version: number
  createdAt: string
  updatedAt: string
}

export type OrderView = {
  id: string
  buyerId: string
  sellerId: string
  status: OrderStatus
  items: { listingId: string; quantity: number; unitPrice: Money }[]
  total: Money
  shippingAddress?: Record<string, string>
  paymentDueAt?: string
  shipment?: { carrier: string; trackingNumber: string; deliveredAt: string | null }
  createdAt: string
  updatedAt: string
  history: { status: OrderStatus; at: string }[]
}

/** Who is looking: the buyer and staff see the whole order; the seller sees less (below). */
export type OrderViewer = 'buyer' | 'seller' | 'staff'

/**
 * The statuses in which the seller needs the buyer's address: to ship, to follow the parcel, to
 * answer a dispute. An unpaid, cancelled, refunded or completed order keeps it from them.
 */
const sellerShipsIn: ReadonlySet<OrderStatus> = new Set(['paid', 'shipped', 'in_transit', 'delivered', 'disputed'])

/** Whether `viewer` sees the address of an order in `status` (so it is opened only then). */
export const showsAddress = (viewer: OrderViewer, status: OrderStatus): boolean => viewer !== 'seller' || sellerShipsIn.has(status)

/** The order as `viewer` sees it; `address` is its shipping address opened, where the viewer may see it. */
export function orderView(o: OrderRecord, history: { status: OrderStatus; at: string }[], viewer: OrderViewer, address: Record<string, string> | null): OrderView {
  return {
    id: o.id,
    buyerId: o.buyerId,
    sellerId: o.sellerId,
    status: o.status,
    items: o.items.map((i) => ({ listingId: i.listingId, quantity: i.quantity, unitPrice: money(i.unitPrice, o.currency) })),
    total: money(o.total, o.currency),
    ...(address && showsAddress(viewer, o.status) ? { shippingAddress: address } : {}),
    ...(o.paymentDueAt && o.status === 'pending_payment' ? { paymentDueAt: o.paymentDueAt } : {}),
    ...(o.carrier && o.trackingNumber ? { shipment: { carrier: o.carrier, trackingNumber: o.trackingNumber, deliveredAt: o.deliveredAt } } : {}),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    history,
  }
}

/** The order an auction's win creates: one per listing, so its id is the listing's. */
export const auctionOrderId = (listingId: string): string => `ord_${listingId.slice(listingId.indexOf('_') + 1)}`
