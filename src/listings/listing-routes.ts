import { assessListing, flagForReview, requestOrigin } from '../risk/risk-adapters'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { readingAfter } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { answerBookmark, BOOKMARK_HEADER, BookmarkAnswered, BookmarkHeader } from '../http/bookmark-header'
import { jsonBody, problems } from '../http/common-schemas'
import { contentTag, notModified, readModelPolicy, revalidateEachTime } from '../http/conditional-get'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, systemClock } from '../platform/runtime'
import type { CreateListing } from './listing-lifecycle'
import { listingStub } from './listing-object'
import { listingProblem } from './listing-problems'
import { CreateListingBody, ListingIdParam, ListingPage, ListingSchema, SearchQuery, UpdateListingBody } from './listing-schemas'
import { searchListings } from './listing-search-store'
import { projectOwnWrite } from './own-write-store'
import { settleNewListing } from './seller-listings-adapters'
import { decodeSearchCursor, searchPage } from './search-cursor'
import { versionTag } from '../core/entity-tag'
import { expectedVersion } from '../http/if-match'

const tags = ['Listings']
const security = [{ bearer: [] }]
const listingJson = { content: { 'application/json': { schema: ListingSchema } } }
const notModifiedResponse = { description: 'Not modified: the `If-None-Match` tag is current (no body)' }

const createListingRoute = createRoute({
  method: 'post',
  path: '/listings',
  tags,
  security,
  summary: 'List an item: fixed price (with quantity) or auction',
  middleware: [requireAccess('listings.write')] as const,
  request: { body: jsonBody(CreateListingBody) },
  responses: { 201: { description: 'Listed', headers: BookmarkAnswered, ...listingJson }, 403: problems[403], 422: problems[422] },
})

const getListingRoute = createRoute({
  method: 'get',
  path: '/listings/{id}',
  tags,
  summary: 'A listing, read from its object (strongly consistent), with its version as ETag; 304 when If-None-Match names it',
  request: { params: ListingIdParam },
  responses: { 200: { description: 'The listing', ...listingJson }, 304: notModifiedResponse, 404: problems[404] },
})

const updateListingRoute = createRoute({
  method: 'patch',
  path: '/listings/{id}',
  tags,
  security,
  summary: 'The seller edits title, description, price or quantity; needs If-Match',
  middleware: [requireAccess('listings.write')] as const,
  request: {
    params: ListingIdParam,
    headers: z.object({ 'if-match': z.string().optional().openapi({ description: 'The ETag you read' }) }),
    body: jsonBody(UpdateListingBody),
  },
  responses: {
    200: { description: 'Updated', headers: BookmarkAnswered, ...listingJson },
    403: problems[403],
    404: problems[404],
    409: problems[409],
    412: { description: '`version_conflict`: the listing changed since you read it', content: problems[409].content },
    428: { description: '`precondition_required`: send If-Match', content: problems[409].content },
  },
})

const withdrawListingRoute = createRoute({
  method: 'delete',
  path: '/listings/{id}',
  tags,
  security,
  summary: 'The seller withdraws the listing (not while stock is reserved, nor an auction with bids)',
  middleware: [requireAccess('listings.write')] as const,
  request: { params: ListingIdParam },
  responses: { 204: { description: 'Withdrawn', headers: BookmarkAnswered }, 403: problems[403], 404: problems[404], 409: problems[409] },
})

const searchRoute = createRoute({
  method: 'get',
  path: '/listings',
  tags,
  summary: 'Search listings (full text on title and description), in the order `sort` names (newest first by default)',
  request: { query: SearchQuery, headers: z.object({ 'souk-bookmark': BookmarkHeader }) },
  responses: {
    200: { description: 'A page of listings', headers: BookmarkAnswered, content: { 'application/json': { schema: ListingPage } } },
    304: notModifiedResponse,
    400: problems[400],
  },
})

export const listingRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(createListingRoute, async (c) => {
    const seller = principalOf(c)
    const body = c.req.valid('json')
    const now = systemClock()
    const id = newId('lst', now)
    const currency = (body.price ?? body.auction?.startingBid)?.currency ?? 'USD'
    const cmd: CreateListing = {
      id,
      sellerId: seller.userId,
      title: body.title,
      description: body.description,
      category: body.category,
      format: body.format,
      currency,
      acceptsOffers: body.acceptsOffers,
      ...(body.price ? { fixed: { price: body.price.amount, quantity: body.quantity ?? 1 } } : {}),
      ...(body.auction
        ? {
            auction: {
              startingBid: body.auction.startingBid.amount,
              reservePrice: body.auction.reservePrice?.amount ?? null,
              buyNowPrice: body.auction.buyNowPrice?.amount ?? null,
              endsAt: body.auction.endsAt,
            },
          }
        : {}),
    }
    const origin = await requestOrigin(c)
    const risk = await assessListing(c.env, c.var.settings, c.var.log, { listingId: id, userId: seller.userId, price: body.price?.amount ?? body.auction?.startingBid.amount ?? 0, origin, nowMs: now.getTime() })
    if (risk.verdict === 'block') throw new Problem(403, 'risk_blocked', 'This listing cannot be created now')
    // The listing keeps where its seller listed from: a bid from the same address or device is shill bidding's mark.
    const outcome = await listingStub(c.env, id).create(cmd, { ip: origin.ip, device: origin.device })
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    if (risk.verdict === 'review') await flagForReview(c.env, c.var.log, { id: newId('rsk', now), kind: 'listing', subjectId: id, userId: seller.userId, reasons: risk.reasons, score: null, createdAt: now.toISOString() })
    answerBookmark(c, await projectOwnWrite(c.env.DB, outcome.value, c.var.log))
    // Listed as its seller was being frozen: suspended with the seller's other listings.
    const listing = await settleNewListing(c.env, outcome.value, c.var.log)
    c.header('Location', `/v1/listings/${id}`)
    c.header('ETag', versionTag(listing.version))
    return c.json(listing, 201)
  })
  .openapi(getListingRoute, async (c) => {
    const { id } = c.req.valid('param')
    const view = await listingStub(c.env, id).view()
    if (!view) throw new Problem(404, 'not_found')
    if (notModified(c, versionTag(view.version), revalidateEachTime)) return c.body(null, 304)
    return c.json(view, 200)
  })
  .openapi(updateListingRoute, async (c) => {
    const actor = principalOf(c)
    const { id } = c.req.valid('param')
    const expected = expectedVersion(c.req.valid('header')['if-match'])
    if (expected === 'required') throw new Problem(428, 'precondition_required')
    if (expected === 'unmatchable') throw new Problem(412, 'version_conflict', 'If-Match must be a strong ETag such as "12", or *')
    const outcome = await listingStub(c.env, id).update({ actorId: actor.userId, expectedVersion: expected, ...c.req.valid('json') })
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    answerBookmark(c, await projectOwnWrite(c.env.DB, outcome.value, c.var.log))
    c.header('ETag', versionTag(outcome.value.version))
    return c.json(outcome.value, 200)
  })
  .openapi(withdrawListingRoute, async (c) => {
    const actor = principalOf(c)
    const { id } = c.req.valid('param')
    const outcome = await listingStub(c.env, id).withdraw(actor.userId)
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    answerBookmark(c, await projectOwnWrite(c.env.DB, outcome.value, c.var.log))
    return c.body(null, 204)
  })
  .openapi(searchRoute, async (c) => {
    const { limit, cursor, sort, ...filters } = c.req.valid('query')
    const session = readingAfter(c.env.DB, c.req.valid('header')['souk-bookmark'])
    // The schema has refused a cursor that is not one of `sort`'s.
    const after = cursor ? decodeSearchCursor(cursor) : undefined
    const rows = await searchListings(session.db, { ...filters, sort, limit, after, now: systemClock() })
    answerBookmark(c, session.bookmark())
    // A cache must not answer a read that carries a bookmark with a page from before its write.
    c.header('Vary', BOOKMARK_HEADER, { append: true })
    const body = searchPage(rows, limit, sort)
    if (notModified(c, await contentTag(body), readModelPolicy(c))) return c.body(null, 304)
    return c.json(body, 200)
  })
