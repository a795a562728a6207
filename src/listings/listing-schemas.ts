import { z } from '@hono/zod-openapi'
import { currencies, MAX_AMOUNT } from '../core/money'
import { PageQuery, pageOf } from '../http/common-schemas'
import { textBlock, textLine } from '../http/text-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { decodeSearchCursor } from './search-cursor'
import { searchSorts } from './search-sort'

/** Request and response shapes of the listing routes (the API reference at /docs is generated from them; docs/LISTINGS.md, docs/LIMITS.md). */
export const MoneySchema = z
  .strictObject({
    amount: z.number().int('must be a whole number of minor units').min(1).max(MAX_AMOUNT),
    currency: z.enum(currencies),
  })
  .openapi('Money', { example: { amount: 1250, currency: 'USD' } })

const Title = textLine(140)
const Description = textBlock(20_000)
const Category = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lower-case slug').max(40)
const Timestamp = z.iso.datetime({ offset: true }).openapi({ format: 'date-time' })

export const listingIdPattern = /^lst_[0-9a-z]{26}$/
export const offerIdPattern = /^ofr_[0-9a-z]{26}$/
const ListingId = z.string().regex(listingIdPattern, 'must be a listing id')
export const ListingIdParam = z.object({ id: ListingId.openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.listing }) })
/** The same parameter where the example is an auction: bids and live watching are what auctions are for. */
export const AuctionIdParam = z.object({ id: ListingId.openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.auction }) })
export const OfferIdParam = z.object({ id: z.string().regex(offerIdPattern, 'must be an offer id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.offer }) })

export const CreateListingBody = z
  .strictObject({
    title: Title,
    description: Description.default(''),
    category: Category,
    format: z.enum(['fixed_price', 'auction']),
    price: MoneySchema.optional(),
    quantity: z.number().int().min(1).max(100_000).optional(),
    auction: z
      .strictObject({
        startingBid: MoneySchema,
        reservePrice: MoneySchema.optional(),
        buyNowPrice: MoneySchema.optional(),
        endsAt: Timestamp,
      })
      .optional(),
    acceptsOffers: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    const misplaced = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    if (b.format === 'fixed_price') {
      if (!b.price) misplaced('price', 'a fixed-price listing needs a price')
      if (b.auction) misplaced('auction', 'only auctions have auction terms')
    } else {
      if (!b.auction) misplaced('auction', 'an auction needs auction terms')
      if (b.price) misplaced('price', 'an auction has a starting bid, not a price')
      if (b.quantity !== undefined) misplaced('quantity', 'an auction sells one item')
    }
    const monies = [b.price, b.auction?.startingBid, b.auction?.reservePrice, b.auction?.buyNowPrice].filter((m) => m !== undefined)
    if (new Set(monies.map((m) => m.currency)).size > 1) misplaced('auction', 'all amounts of a listing share one currency')
  })
  .openapi('CreateListingRequest', {
    example: { title: 'Brass oil lamp', description: 'Hand-hammered, 1950s, works with paraffin.', category: 'home', format: 'fixed_price', price: { amount: 4500, currency: 'EUR' }, quantity: 1, acceptsOffers: true },
  })

export const UpdateListingBody = z
  .strictObject({ title: Title.optional(), description: Description.optional(), price: MoneySchema.optional(), quantity: z.number().int().min(1).max(100_000).optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'change at least one field')
  .openapi('UpdateListingRequest', { example: { description: 'Hand-hammered, 1950s, works with paraffin. New wick fitted.', price: { amount: 4800, currency: 'EUR' } } })

/** The lamp as the API shows it: the Listing example, and the one in pages that hold it. */
export const exampleListing = {
  id: exampleIds.listing,
  sellerId: exampleIds.seller,
  title: 'Brass oil lamp',
  description: 'Hand-hammered, 1950s, works with paraffin.',
  category: 'home',
  format: 'fixed_price',
  status: 'active',
  version: 1,
  currency: 'EUR',
  price: { amount: 4500, currency: 'EUR' },
  quantity: 1,
  available: 1,
  acceptsOffers: true,
  images: [{ id: exampleIds.image, url: `/images/listings/${exampleIds.listing}/${exampleIds.image}`, width: 1200, height: 900 }],
  createdAt: '2026-03-14T09:30:00.000Z',
  updatedAt: '2026-03-14T09:30:00.000Z',
}

export const ListingImageSchema = z
  .object({
    id: z.string(),
    url: z.string().openapi({ description: 'An absolute path on this host; the image is served with a year’s immutable caching' }),
    width: z.number().int().optional().openapi({ description: 'Pixels, when the image’s header states them' }),
    height: z.number().int().optional(),
  })
  .openapi('ListingImage', { example: { id: exampleIds.image, url: `/images/listings/${exampleIds.listing}/${exampleIds.image}`, width: 1200, height: 900 } })

export const ImageIdParam = z.object({
  id: ListingId.openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.listing }),
  imageId: z
    .string()
    .regex(/^img_[0-9a-z]{26}$/, 'must be an image id')
    .openapi({ param: { name: 'imageId', in: 'path' }, example: exampleIds.image }),
})

export const ListingSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.listing }),
    sellerId: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    format: z.enum(['fixed_price', 'auction']),
    status: z.enum(['active', 'ended', 'sold_out', 'withdrawn']),
    version: z.number().int(),
    currency: z.enum(currencies),
    price: MoneySchema.optional(),
    quantity: z.number().int().optional(),
    available: z.number().int().optional(),
    currentPrice: MoneySchema.optional(),
    bidCount: z.number().int().optional(),
    reserveMet: z.boolean().optional(),
    buyNowPrice: MoneySchema.optional(),
    minimumBid: MoneySchema.optional().openapi({ description: 'The lowest maximum a new bidder may place now' }),
    endsAt: z.string().optional(),
    acceptsOffers: z.boolean(),
    suspended: z
      .boolean()
      .optional()
      .openapi({ description: 'Present (true) while the seller’s account is frozen: the listing cannot be bought, bid on or offered on (409 `seller_frozen`) and search does not show it' }),
    images: z.array(ListingImageSchema).openapi({ description: 'The photos, in the order the seller added them (at most 10)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Listing', { example: exampleListing })

export const ListingPage = pageOf(ListingSchema).openapi('ListingPage', {
  example: {
    data: [
      {
        id: exampleIds.auction,
        sellerId: exampleIds.seller,
        title: 'Signed gallery print',
        description: 'Numbered 12/50, signed by the artist, unframed.',
        category: 'art',
        format: 'auction',
        status: 'active',
        version: 3,
        currency: 'USD',
        currentPrice: { amount: 1100, currency: 'USD' },
        bidCount: 2,
        minimumBid: { amount: 1200, currency: 'USD' },
        endsAt: '2026-03-16T20:00:00.000Z',
        acceptsOffers: false,
        images: [],
        createdAt: '2026-03-14T10:00:00.000Z',
        updatedAt: '2026-03-15T18:02:11.000Z',
      },
      exampleListing,
    ],
    nextCursor: null,
  },
})

/** What search and facets both filter on. */
const searchFilters = {
  q: z.string().max(200).optional().openapi({ description: 'Words in the title or description' }),
  category: Category.optional(),
  format: z.enum(['fixed_price', 'auction']).optional(),
  status: z.enum(['active', 'ended', 'sold_out', 'withdrawn']).default('active'),
  currency: z.enum(currencies).optional(),
  minPrice: z.coerce.number().int().min(0).max(MAX_AMOUNT).optional().openapi({ description: 'Minor units' }),
  maxPrice: z.coerce.number().int().min(0).max(MAX_AMOUNT).optional().openapi({ description: 'Minor units' }),
  sellerId: z.string().regex(/^usr_[0-9a-z]{26}$/).optional(),
}

const priceRangeHolds = (q: { minPrice?: number; maxPrice?: number }, ctx: z.RefinementCtx) => {
  if (q.minPrice !== undefined && q.maxPrice !== undefined && q.minPrice > q.maxPrice) {
    ctx.addIssue({ code: 'custom', path: ['minPrice'], message: 'must not be more than maxPrice' })
  }
}

export const SearchQuery = PageQuery.extend({
  ...searchFilters,
  sort: z.enum(searchSorts).default('newest').openapi({
    description: '`newest` (default), `ending_soon` (auctions only, soonest end first), `price_asc` or `price_desc` (the listed price in minor units)',
  }),
  cursor: z.string().max(512).optional().openapi({ description: 'The `nextCursor` of the previous page, with the same `sort`' }),
}).superRefine((q, ctx) => {
  priceRangeHolds(q, ctx)
  if (q.cursor === undefined) return
  const position = decodeSearchCursor(q.cursor)
  if (!position) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'not a cursor this API issued' })
  else if (position.sort !== q.sort) ctx.addIssue({ code: 'custom', path: ['cursor'], message: `a cursor of sort=${position.sort}; ask with that sort, or without the cursor` })
})

export const FacetQuery = z.object(searchFilters).superRefine(priceRangeHolds)

const FacetCount = z.object({ value: z.string(), count: z.number().int() })
export const FacetsSchema = z
  .object({
    total: z.number().int().openapi({ description: 'Listings that match the filters' }),
    category: z.array(FacetCount).openapi({ description: 'Per category, most listings first (at most 100 categories)' }),
    format: z.array(FacetCount).openapi({ description: 'Per format, most listings first' }),
  })
  .openapi('ListingFacets', { example: { total: 3, category: [{ value: 'home', count: 2 }, { value: 'kitchen', count: 1 }], format: [{ value: 'fixed_price', count: 2 }, { value: 'auction', count: 1 }] } })

export const PlaceBidBody = z.strictObject({ maxAmount: MoneySchema }).openapi('PlaceBidRequest', { example: { maxAmount: { amount: 2500, currency: 'USD' } } })

export const BidResponse = z
  .object({
    bid: z.object({ id: z.string(), maxAmount: MoneySchema, createdAt: z.string() }),
    leading: z.boolean().openapi({ description: 'Whether the caller now holds the highest maximum' }),
    currentPrice: MoneySchema,
    endsAt: z.string(),
  })
  .openapi('BidPlaced', {
    example: {
      bid: { id: exampleIds.bid, maxAmount: { amount: 2500, currency: 'USD' }, createdAt: '2026-03-15T18:02:11.000Z' },
      leading: true,
      currentPrice: { amount: 1100, currency: 'USD' },
      endsAt: '2026-03-16T20:00:00.000Z',
    },
  })

export const BidHistorySchema = pageOf(
  z.object({ bidId: z.string(), bidder: z.string().openapi({ description: 'A pseudonym, stable on this listing' }), price: MoneySchema, at: z.string(), mine: z.boolean() }),
).openapi('BidHistory', {
  example: {
    data: [
      { bidId: exampleIds.bid, bidder: 'bidder-3f9c0a1e', price: { amount: 1100, currency: 'USD' }, at: '2026-03-15T18:02:11.000Z', mine: true },
      { bidId: 'bid_01jd49z8y7x6w5v4t3s2r1q0p9', bidder: 'bidder-b27d4e90', price: { amount: 1000, currency: 'USD' }, at: '2026-03-15T17:40:02.000Z', mine: false },
    ],
    nextCursor: null,
  },
})

export const MakeOfferBody = z
  .strictObject({ amount: MoneySchema, quantity: z.number().int().min(1).max(100_000).default(1) })
  .openapi('MakeOfferRequest', { example: { amount: { amount: 4000, currency: 'EUR' }, quantity: 1 } })
export const CounterOfferBody = z.strictObject({ amount: MoneySchema }).openapi('CounterOfferRequest', { example: { amount: { amount: 4200, currency: 'EUR' } } })

const offerStatuses = ['pending', 'accepted', 'declined', 'countered', 'expired', 'superseded'] as const

/** Ada's offer on Sam's lamp. */
const exampleOffer = {
  id: exampleIds.offer,
  listingId: exampleIds.listing,
  buyerId: exampleIds.buyer,
  sellerId: exampleIds.seller,
  from: 'buyer',
  amount: { amount: 4000, currency: 'EUR' },
  quantity: 1,
  status: 'pending',
  counters: null,
  createdAt: '2026-03-14T09:26:53.000Z',
  expiresAt: '2026-03-16T09:26:53.000Z',
}

export const OfferSchema = z
  .object({
    id: z.string(),
    listingId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    from: z.enum(['buyer', 'seller']),
    amount: MoneySchema.openapi({ description: 'Per unit' }),
    quantity: z.number().int(),
    status: z.enum(offerStatuses),
    counters: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    reservation: z.object({ id: z.string(), expiresAt: z.string() }).optional().openapi({ description: 'While accepted: the stock held for the buyer’s checkout. Only GET /v1/offers/{id} and the answers to the offer’s own calls show it.' }),
  })
  .openapi('Offer', { example: exampleOffer })

export const OfferPageSchema = pageOf(OfferSchema).openapi('OfferPage', { example: { data: [exampleOffer], nextCursor: null } })

export const CallerOffersQuery = PageQuery.extend({
  role: z.enum(['buyer', 'seller']).openapi({ description: 'Offers you made as the buyer, or those on your listings as the seller', example: 'buyer' }),
  status: z.enum(offerStatuses).optional().openapi({ description: 'Only offers in this status', example: 'pending' }),
})

export const LiveQuery = z.object({
  since: z.coerce.number().int().min(0).optional().openapi({ description: 'Replay every event after this seq' }),
})
