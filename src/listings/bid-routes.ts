import { bidRules, flagForReview, requestOrigin } from '../risk/risk-adapters'
import { newId, systemClock } from '../platform/runtime'
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { decodeCursor, page } from '../core/cursor'
import { jsonBody, PageQuery, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { bidFloors } from './bid-prefilter-middleware'
import { listingStub } from './listing-object'
import { listingProblem } from './listing-problems'
import { AuctionIdParam, BidHistorySchema, BidResponse, PlaceBidBody } from './listing-schemas'

const tags = ['Bids']

const placeBidRoute = createRoute({
  method: 'post',
  path: '/listings/{id}/bids',
  tags,
  security: [{ bearer: [] }],
  summary: 'Place a maximum bid; proxy bidding raises it one increment at a time, as needed',
  middleware: [requireAccess('trading.write')] as const,
  request: { params: AuctionIdParam, body: jsonBody(PlaceBidBody) },
  responses: {
    201: { description: 'The bid stands', content: { 'application/json': { schema: BidResponse } } },
    403: problems[403],
    404: problems[404],
    409: problems[409],
    422: problems[422],
  },
})

const bidHistoryRoute = createRoute({
  method: 'get',
  path: '/listings/{id}/bids',
  tags,
  summary: 'Bid history, newest first; bidders are pseudonyms stable on the listing, maximums are never shown',
  request: { params: AuctionIdParam, query: PageQuery },
  responses: { 200: { description: 'The history', content: { 'application/json': { schema: BidHistorySchema } } }, 404: problems[404] },
})

export const bidRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(placeBidRoute, async (c) => {
    const bidder = principalOf(c)
    const { id } = c.req.valid('param')
    const { maxAmount } = c.req.valid('json')
    const { settings, log } = c.var
    const risk = { origin: await requestOrigin(c), rules: await bidRules(c.env, settings, log, systemClock().getTime()) }
    const outcome = await listingStub(c.env, id).placeBid({ bidderId: bidder.userId, maxAmount }, risk)
    if (!outcome.ok) {
      const rejection = outcome.rejection
      if (rejection.code !== 'bid_too_low') throw listingProblem(rejection)
      bidFloors.raise(id, rejection.floor, rejection.newBidderMinimum)
      throw listingProblem(rejection)
    }
    const receipt = outcome.value
    const { listing } = receipt
    if (receipt.flagged.length > 0) {
      const flag = { id: newId('rsk'), kind: 'bid' as const, subjectId: receipt.bidId, userId: bidder.userId, reasons: receipt.flagged, score: null, createdAt: receipt.placedAt }
      c.var.afterResponse(() => flagForReview(c.env, log, flag))
    }
    if (listing.minimumBid) bidFloors.raise(id, receipt.floor, listing.minimumBid)
    return c.json(
      {
        bid: { id: receipt.bidId, maxAmount: receipt.maxAmount, createdAt: receipt.placedAt },
        leading: receipt.leading,
        currentPrice: listing.currentPrice ?? receipt.maxAmount,
        endsAt: listing.endsAt ?? receipt.placedAt,
      },
      201,
    )
  })
  .openapi(bidHistoryRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    const before = cursor ? Number(decodeCursor(cursor)) : undefined
    const rows = await listingStub(c.env, id).bidHistory(c.var.principal?.userId, limit + 1, Number.isSafeInteger(before) ? before : undefined)
    if (!rows) throw new Problem(404, 'not_found')
    const { data, nextCursor } = page(rows, limit, (r) => String(r.seq))
    return c.json({ data: data.map(({ seq: _seq, ...entry }) => entry), nextCursor }, 200)
  })
