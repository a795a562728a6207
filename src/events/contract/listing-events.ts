import { z } from 'zod'
import { EventMoney as Money } from './event-money'

/**
 * What a listing says happened, as the core decides it: a zod union, so consumers parse what they
 * read and the types follow from the schemas. The object stamps each with an id, the listing's
 * next `seq`, a version (1 for every type here), the time, and the public snapshot of the listing
 * after it (`data.listing`). `data` is public: it goes to watchers on the live channel. `private`
 * (who bid, who holds stock, maximums) goes only to Souk's own consumers through their event queues.
 */
const Time = z.string()
const nothing = z.object({})
const event = <T extends string, D extends z.ZodType, P extends z.ZodType>(type: T, data: D, secret: P) =>
  z.object({ type: z.literal(type), data, private: secret })

export const OfferDeclineReason = z.enum(['declined', 'countered', 'superseded', 'stock_taken', 'withdrawn', 'price_lowered'])
export type OfferDeclineReason = z.infer<typeof OfferDeclineReason>
export const ReleaseReason = z.enum(['released', 'expired'])
export type ReleaseReason = z.infer<typeof ReleaseReason>
const OfferStatus = z.enum(['pending', 'accepted', 'declined', 'countered', 'expired', 'superseded'])

/**
 * The offer as it stands after the event (the offer as GET /v1/offers/{id} shows it, less the
 * reservation, which changes with no offer event): the offers read model applies it whole.
 * Optional only because events stored before it existed lack it; every producer sets it.
 */
const OfferSnapshot = z.object({
  id: z.string(),
  listingId: z.string(),
  buyerId: z.string(),
  sellerId: z.string(),
  from: z.enum(['buyer', 'seller']),
  amount: Money,
  quantity: z.number().int(),
  status: OfferStatus,
  counters: z.string().nullable(),
  createdAt: Time,
  expiresAt: Time,
})
export type OfferSnapshot = z.infer<typeof OfferSnapshot>
const offerPrivate = <S extends z.ZodRawShape>(shape: S) => z.object({ ...shape, offer: OfferSnapshot.optional() })
const AuctionOutcome = z.enum(['sold', 'no_bids', 'reserve_not_met', 'bought_now', 'cancelled'])
const ReservationSource = z.enum(['checkout', 'offer', 'auction', 'buy_now'])

export const ListingEventSchema = z.discriminatedUnion('type', [
  event('listing.created', nothing, nothing),
  event('listing.updated', z.object({ changed: z.array(z.string()) }), nothing),
  /** The seller added or removed photos (image ids; the snapshot lists the photos as they are now). */
  event('listing.images_changed', z.object({ added: z.array(z.string()), removed: z.array(z.string()) }), nothing),
  event('listing.withdrawn', nothing, nothing),
  event('listing.sold_out', nothing, nothing),
  /** The seller's account was frozen: nobody may buy, bid or make an offer, and search hides the listing until it is reinstated. */
  event('listing.suspended', nothing, nothing),
  /** The seller's account was unfrozen: the listing is for sale and in search again. */
  event('listing.reinstated', nothing, nothing),
  event(
    'bid.placed',
    z.object({ bidId: z.string(), bidder: z.string(), currentPrice: Money, bidCount: z.number().int(), leaderChanged: z.boolean(), endsAt: Time }),
    z.object({ bidderId: z.string(), maxAmount: Money, leaderId: z.string(), outbidIds: z.array(z.string()) }),
  ),
  event('auction.extended', z.object({ endsAt: Time, previousEndsAt: Time }), nothing),
  event('auction.resumed', z.object({ endsAt: Time }), nothing),
  event('auction.ended', z.object({ outcome: AuctionOutcome, finalPrice: Money.nullable(), bidCount: z.number().int() }), z.object({ winnerId: z.string().nullable() })),
  event('auction.won', z.object({ price: Money, paymentDueAt: Time }), z.object({ winnerId: z.string(), reservationId: z.string() })),
  event(
    'stock.reserved',
    z.object({ quantity: z.number().int(), available: z.number().int(), expiresAt: Time }),
    z.object({ reservationId: z.string(), holderId: z.string(), source: ReservationSource, unitPrice: Money }),
  ),
  event(
    'stock.released',
    z.object({ quantity: z.number().int(), available: z.number().int(), reason: ReleaseReason }),
    z.object({ reservationId: z.string(), holderId: z.string() }),
  ),
  event('stock.claimed', z.object({ quantity: z.number().int() }), z.object({ reservationId: z.string(), holdId: z.string(), holderId: z.string() })),
  event(
    'stock.committed',
    z.object({ quantity: z.number().int(), sold: z.number().int(), available: z.number().int() }),
    z.object({ reservationId: z.string(), holderId: z.string(), unitPrice: Money }),
  ),
  event(
    'stock.restocked',
    z.object({ quantity: z.number().int(), sold: z.number().int(), available: z.number().int() }),
    z.object({ reservationId: z.string() }),
  ),
  event(
    'offer.created',
    z.object({ offerId: z.string(), from: z.enum(['buyer', 'seller']), expiresAt: Time }),
    offerPrivate({ buyerId: z.string(), unitAmount: Money, quantity: z.number().int(), counters: z.string().nullable() }),
  ),
  event(
    'offer.accepted',
    z.object({ offerId: z.string() }),
    offerPrivate({ buyerId: z.string(), reservationId: z.string(), unitAmount: Money, quantity: z.number().int() }),
  ),
  event('offer.declined', z.object({ offerId: z.string(), reason: OfferDeclineReason }), offerPrivate({ buyerId: z.string() })),
  event('offer.expired', z.object({ offerId: z.string() }), offerPrivate({ buyerId: z.string() })),
])

export type ListingEvent = z.infer<typeof ListingEventSchema>
export type ListingEventType = ListingEvent['type']
export const listingEventTypes = ListingEventSchema.options.map((o) => o.shape.type.value)

/** A reservation that ended, for the store's record of settled ids (commit/release idempotency). */
export type Settlement = { reservationId: string; outcome: 'committed' | 'released' | 'restocked' }
