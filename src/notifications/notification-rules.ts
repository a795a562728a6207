import type { Currency, Money } from '../core/money'
import type { AccountEvent } from '../events/contract/account-events'
import type { ListingEvent } from '../events/contract/listing-events'
import type { OrderEventData } from '../events/contract/order-events'
import type { SoukEvent } from '../events/contract/souk-event'
import type { WebhookEndpointEvent } from '../events/contract/webhook-endpoint-events'
import type { ListingView } from '../listings/listing-view'
import { auctionOrderId } from '../orders/order-view'

/**
 * Which events concern which people, and what each is told (docs/NOTIFICATIONS.md "Notifications"). One event
 * may tell several people different things: an auction's end tells the winner to pay and the
 * seller that it sold. A notice reads the event's `private` part to know whom to tell, but carries
 * only what its recipient may know: ids, amounts, the listing's public title; never another
 * person's id (an outbid bidder is not told who leads).
 */

/**
 * Security and payment notices ignore quiet hours and are never digested: a login from a new
 * device or an unpaid win cannot wait until morning. Everything else is activity.
 */
export type NotificationCategory = 'security' | 'payment' | 'activity'

export type Notice = {
  userId: string
  type: string
  category: NotificationCategory
  title: string
  body: string
  data: Record<string, unknown>
  /** Notices with the same key for one user within the throttle window collapse into the first; null never throttles. */
  throttleKey: string | null
}

/** Every type a notice can have: the keys of the per-type channel preferences. */
export const notificationTypes: string[] = [
  'bid.outbid',
  'auction.won',
  'auction.sold',
  'auction.unsold',
  'offer.received',
  'offer.countered',
  'offer.accepted',
  'offer.declined',
  'offer.expired',
  'order.pending_review',
  'order.paid',
  'order.sold',
  'order.shipped',
  'order.delivered',
  'order.completed',
  'order.cancelled',
  'order.disputed',
  'order.refunded',
  'account.frozen',
  'account.unfrozen',
  'webhook.disabled',
]

/**
 * The notices `e` gives rise to, none for an event that concerns nobody. The event comes decoded
 * against the contract (src/events/contract), so its data is already what its type says.
 */
export function noticesFor(e: SoukEvent): Notice[] {
  return noticesOf(e).filter((n) => n.userId !== '')
}

function noticesOf(e: SoukEvent): Notice[] {
  switch (e.aggregate) {
    case 'listing':
      return listingNotices(e.event, e.listing)
    case 'order':
      return orderNotices(e.event.type, e.event.data)
    case 'account':
      return accountNotices(e.event)
    case 'webhook_endpoint':
      return webhookEndpointNotices(e.event)
  }
}

function listingNotices(e: ListingEvent, listing: Pick<ListingView, 'id' | 'title' | 'sellerId'>): Notice[] {
  const title = quoted(listing.title)
  const about = { listingId: listing.id }
  switch (e.type) {
    case 'bid.placed':
      // outbidIds may hold the bidder themselves (a bid below the leader's maximum loses at once).
      return [...new Set(e.private.outbidIds)].map((userId) =>
        notice(
          userId,
          'bid.outbid',
          'activity',
          'You have been outbid',
          `You are no longer the highest bidder on ${title}. The price is now ${formatMoney(e.data.currentPrice)}.`,
          { ...about, currentPrice: e.data.currentPrice, endsAt: e.data.endsAt },
          `bid.outbid:${listing.id}`,
        ),
      )
    case 'auction.won': {
      const { price, paymentDueAt } = e.data
      return [
        notice(e.private.winnerId, 'auction.won', 'payment', `You won ${title}`, `You won ${title} for ${formatMoney(price)}. Pay by ${formatInstant(paymentDueAt)}.`, {
          ...about,
          orderId: auctionOrderId(listing.id),
          price,
          paymentDueAt,
        }),
        notice(listing.sellerId, 'auction.sold', 'activity', `${title} sold`, `${title} sold for ${formatMoney(price)}. The buyer has until ${formatInstant(paymentDueAt)} to pay.`, {
          ...about,
          price,
          paymentDueAt,
        }),
      ]
    }
    case 'auction.ended': {
      const { outcome } = e.data
      if (outcome !== 'no_bids' && outcome !== 'reserve_not_met') return []
      const why = outcome === 'no_bids' ? 'with no bids' : 'below your reserve price'
      return [notice(listing.sellerId, 'auction.unsold', 'activity', `${title} did not sell`, `The auction for ${title} ended ${why}.`, { ...about, outcome })]
    }
    case 'offer.created': {
      const terms = { ...about, offerId: e.data.offerId, amount: e.private.unitAmount, quantity: e.private.quantity, expiresAt: e.data.expiresAt }
      const amount = offerAmount(e.private.unitAmount, e.private.quantity)
      return e.data.from === 'buyer'
        ? [notice(listing.sellerId, 'offer.received', 'activity', `New offer on ${title}`, `You have an offer of ${amount} on ${title}.`, terms)]
        : [notice(e.private.buyerId, 'offer.countered', 'activity', `Counter-offer on ${title}`, `The seller countered with ${amount} on ${title}.`, terms)]
    }
    case 'offer.accepted':
      return [
        notice(
          e.private.buyerId,
          'offer.accepted',
          'activity',
          'Offer accepted',
          `The offer of ${offerAmount(e.private.unitAmount, e.private.quantity)} on ${title} was accepted. Check out to buy it.`,
          { ...about, offerId: e.data.offerId, amount: e.private.unitAmount, quantity: e.private.quantity },
        ),
      ]
    case 'offer.declined': {
      // A counter closes the offer it answers and a new offer supersedes the buyer's own: both are
      // told through the offer that replaces them (or need no telling), not as a refusal.
      const why = declineReasons[e.data.reason]
      if (why === null) return []
      return [notice(e.private.buyerId, 'offer.declined', 'activity', 'Offer closed', why(title), { ...about, offerId: e.data.offerId, reason: e.data.reason })]
    }
    case 'offer.expired':
      return [notice(e.private.buyerId, 'offer.expired', 'activity', 'Offer expired', `The offer on ${title} expired without an answer.`, { ...about, offerId: e.data.offerId })]
    default:
      return []
  }
}

/** What the buyer reads when an offer closes, by reason; null when they are not told. */
const declineReasons: Record<Extract<ListingEvent, { type: 'offer.declined' }>['data']['reason'], ((title: string) => string) | null> = {
  declined: (title) => `The offer on ${title} was declined.`,
  stock_taken: (title) => `The offer on ${title} was closed: the item is no longer available.`,
  withdrawn: (title) => `${title} was withdrawn, so the offer on it was closed.`,
  price_lowered: (title) => `${title} is now priced at or below your offer, so the offer was closed. You can buy it at the new price.`,
  countered: null,
  superseded: null,
}

function orderNotices(type: string, o: OrderEventData): Notice[] {
  const about = { orderId: o.orderId, total: o.total }
  const total = formatMoney(o.total)
  switch (type) {
    case 'order.pending_review':
      // The buyer only: the seller hears of the sale once staff approve it (order.paid).
      return [notice(o.buyerId, 'order.pending_review', 'payment', 'Your order is being reviewed', `Order ${o.orderId} (${total}) is being checked before it goes through. Your payment is held, not taken; you will hear from us shortly.`, about)]
    case 'order.paid':
      return [
        notice(o.buyerId, 'order.paid', 'payment', 'Payment received', `Your payment of ${total} for order ${o.orderId} went through.`, about),
        notice(o.sellerId, 'order.sold', 'payment', 'You made a sale', `Order ${o.orderId} is paid (${total}). Ship it now.`, about),
      ]
    case 'order.shipped':
      return [notice(o.buyerId, 'order.shipped', 'activity', 'Your order has shipped', `Order ${o.orderId} is on its way.`, about)]
    case 'order.delivered':
      return [notice(o.buyerId, 'order.delivered', 'activity', 'Your order was delivered', `Order ${o.orderId} was delivered. Accept it, or open a dispute if something is wrong.`, about)]
    case 'order.completed':
      return [notice(o.sellerId, 'order.completed', 'payment', 'Funds available', `Order ${o.orderId} is complete; its funds are now available to you.`, about)]
    case 'order.cancelled':
      return [
        notice(o.buyerId, 'order.cancelled', 'payment', 'Order cancelled', `Order ${o.orderId} was cancelled${cancelledBy(o.reason, 'buyer')}. Any payment is refunded.`, about),
        notice(o.sellerId, 'order.cancelled', 'payment', 'Order cancelled', `Order ${o.orderId} was cancelled${cancelledBy(o.reason, 'seller')}.`, about),
      ]
    case 'order.disputed':
      // The buyer's own words stay out of the notice: the seller reads them on the order.
      return [notice(o.sellerId, 'order.disputed', 'payment', 'Order disputed', `The buyer opened a dispute on order ${o.orderId}. Its funds are held until it is resolved.`, about)]
    case 'order.refunded':
      return [notice(o.buyerId, 'order.refunded', 'payment', 'Refund issued', `Order ${o.orderId} was refunded: ${total}.`, about)]
    default:
      return []
  }
}

/** Security notices: the account holder hears of a change to their standing at once. */
function accountNotices(e: AccountEvent): Notice[] {
  const about = { userId: e.data.userId }
  return e.type === 'account.frozen'
    ? [notice(e.data.userId, 'account.frozen', 'security', 'Your account was frozen', 'Staff froze your account: you are signed out everywhere, your API keys no longer work, and you cannot sign in, bid, buy or sell. Contact support if you think this is a mistake.', about)]
    : [notice(e.data.userId, 'account.unfrozen', 'security', 'Your account was unfrozen', 'Staff unfroze your account: you can bid, buy and sell again.', about)]
}

/** The owner of an endpoint Souk stopped sending to (a security notice: it ignores quiet hours). */
function webhookEndpointNotices(e: WebhookEndpointEvent): Notice[] {
  const { endpointId, ownerId, url, reason } = e.data
  return [notice(ownerId, 'webhook.disabled', 'security', 'A webhook endpoint was disabled', `Souk stopped sending to ${url}: ${reason}. Fix the receiver, then register it again.`, { endpointId })]
}

/** Why an order was cancelled, as its `reason` says (`cancelled_by_<actor>`, `hold_expired`), from the reader's side. */
function cancelledBy(reason: string | undefined, reader: 'buyer' | 'seller'): string {
  if (reason === `cancelled_by_${reader}`) return ' at your request'
  if (reason === 'cancelled_by_buyer') return ' by the buyer'
  if (reason === 'cancelled_by_seller') return ' by the seller'
  if (reason === 'hold_expired') return ' because it was not paid in time'
  return ''
}

function notice(
  userId: string,
  type: string,
  category: NotificationCategory,
  title: string,
  body: string,
  data: Record<string, unknown>,
  throttleKey: string | null = null,
): Notice {
  return { userId, type, category, title, body, data, throttleKey }
}

const symbols: Record<Currency, string> = { USD: '$', EUR: '€', GBP: '£', CAD: 'CA$', AUD: 'A$' }

/** `$1,234.50`: minor units as the currency's symbol, thousands separated, two decimals (every Souk currency has two). */
export function formatMoney(m: Money): string {
  const sign = m.amount < 0 ? '-' : ''
  const minor = Math.abs(m.amount)
  const whole = Math.floor(minor / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${symbols[m.currency]}${whole}.${(minor % 100).toString().padStart(2, '0')}`
}

const offerAmount = (unit: Money, quantity: number): string => (quantity === 1 ? formatMoney(unit) : `${formatMoney(unit)} each for ${quantity}`)

/** Curly quotes around a listing title, so it reads as a name inside a sentence. */
const quoted = (title: string): string => `“${title}”`

/** `2030-03-03 12:00 UTC`: the recipient's time zone is not known here, so the instant is given in UTC. */
function formatInstant(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
