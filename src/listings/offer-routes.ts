import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import { database, readingAfter } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { jsonBody, PageQuery, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, systemClock } from '../platform/runtime'
import { listingStub } from './listing-object'
import { listingProblem } from './listing-problems'
import { listingOfOffer, routeOffers } from './listing-read-store'
import { CallerOffersQuery, CounterOfferBody, ListingIdParam, MakeOfferBody, OfferIdParam, OfferPageSchema, OfferSchema } from './listing-schemas'
import { callerOffers } from './offer-read-store'
import type { OfferResponse } from './offers'

const tags = ['Offers']
const security = [{ bearer: [] }]
const offerJson = { content: { 'application/json': { schema: OfferSchema } } }
const offerPageJson = { content: { 'application/json': { schema: OfferPageSchema } } }
const guarded = requireAccess('trading.write')

const makeOfferRoute = createRoute({
  method: 'post',
  path: '/listings/{id}/offers',
  tags,
  security,
  summary: 'Offer a price per unit on a fixed-price listing that takes offers; it expires in 48 hours',
  middleware: guarded,
  request: { params: ListingIdParam, body: jsonBody(MakeOfferBody) },
  responses: { 201: { description: 'Offered', ...offerJson }, 404: problems[404], 409: problems[409], 422: problems[422] },
})

const respond = (action: 'accept' | 'decline', summary: string) =>
  createRoute({
    method: 'post',
    path: `/offers/{id}/${action}`,
    tags,
    security,
    summary,
    middleware: guarded,
    request: { params: OfferIdParam },
    responses: { 200: { description: 'The offer, answered', ...offerJson }, 404: problems[404], 409: problems[409] },
  })

const counterRoute = createRoute({
  method: 'post',
  path: '/offers/{id}/counter',
  tags,
  security,
  summary: 'Answer with another price: declines the offer and makes a counter-offer the other party answers',
  middleware: guarded,
  request: { params: OfferIdParam, body: jsonBody(CounterOfferBody) },
  responses: { 201: { description: 'The counter-offer', ...offerJson }, 404: problems[404], 409: problems[409], 422: problems[422] },
})

const getOfferRoute = createRoute({
  method: 'get',
  path: '/offers/{id}',
  tags,
  security,
  summary: 'An offer, for its buyer or the seller',
  middleware: guarded,
  request: { params: OfferIdParam },
  responses: { 200: { description: 'The offer', ...offerJson }, 404: problems[404] },
})

const listOffersRoute = createRoute({
  method: 'get',
  path: '/listings/{id}/offers',
  tags,
  security,
  summary: 'The offers on a listing, newest first: the seller sees every one, anyone else only their own',
  middleware: guarded,
  request: { params: ListingIdParam, query: PageQuery },
  responses: { 200: { description: 'A page of offers', ...offerPageJson }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
})

const callerOffersRoute = createRoute({
  method: 'get',
  path: '/offers',
  tags,
  security,
  summary: 'Your offers across listings, newest first: those you made (`role=buyer`) or those on your listings (`role=seller`)',
  description:
    'Read from the offers read model, which follows each offer’s events within about a second; `reservation` is not shown here (GET /v1/offers/{id} reads the listing itself and shows it).',
  middleware: guarded,
  request: { query: CallerOffersQuery },
  responses: { 200: { description: 'A page of offers', ...offerPageJson }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

/** The listing that holds an offer; 404 for an offer that was never made. */
async function offerListing(env: Env, offerId: string): Promise<string> {
  const listingId = await listingOfOffer(database(env.DB), offerId)
  if (!listingId) throw new Problem(404, 'not_found')
  return listingId
}

export const offerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(makeOfferRoute, async (c) => {
    const buyer = principalOf(c)
    const { id } = c.req.valid('param')
    const { amount, quantity } = c.req.valid('json')
    const offerId = newId('ofr', systemClock())
    const outcome = await listingStub(c.env, id).makeOffer({ offerId, buyerId: buyer.userId, unitAmount: amount, quantity })
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    // Recorded once the offer exists: a refused offer leaves nothing behind. Should this write
    // fail, a retry makes a new offer, which supersedes the unreachable one (one thread per buyer).
    await routeOffers(database(c.env.DB), id, [offerId])
    c.header('Location', `/v1/offers/${offerId}`)
    return c.json(outcome.value, 201)
  })
  .openapi(respond('accept', 'Accept: the stock is reserved for the buyer’s checkout'), async (c) => {
    const actor = principalOf(c)
    const { id } = c.req.valid('param')
    const outcome = await listingStub(c.env, await offerListing(c.env, id)).respondToOffer(id, actor.userId, { kind: 'accept' })
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    return c.json(outcome.value, 200)
  })
  .openapi(respond('decline', 'Decline the offer'), async (c) => {
    const actor = principalOf(c)
    const { id } = c.req.valid('param')
    const outcome = await listingStub(c.env, await offerListing(c.env, id)).respondToOffer(id, actor.userId, { kind: 'decline' })
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    return c.json(outcome.value, 200)
  })
  .openapi(counterRoute, async (c) => {
    const actor = principalOf(c)
    const { id } = c.req.valid('param')
    const { amount } = c.req.valid('json')
    const listingId = await offerListing(c.env, id)
    const counterId = newId('ofr', systemClock())
    const response: OfferResponse = { kind: 'counter', counterId, unitAmount: amount }
    const outcome = await listingStub(c.env, listingId).respondToOffer(id, actor.userId, response)
    if (!outcome.ok) throw listingProblem(outcome.rejection)
    await routeOffers(database(c.env.DB), listingId, [counterId])
    c.header('Location', `/v1/offers/${counterId}`)
    return c.json(outcome.value, 201)
  })
  .openapi(listOffersRoute, async (c) => {
    const viewer = principalOf(c)
    const { id } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    const offers = await listingStub(c.env, id).offers(viewer.userId, (cursor && decodeCursor(cursor)) || null, limit + 1)
    if (!offers) throw new Problem(404, 'not_found')
    return c.json(page(offers, limit, (o) => o.id), 200)
  })
  .openapi(callerOffersRoute, async (c) => {
    const viewer = principalOf(c)
    const { limit, cursor, role, status } = c.req.valid('query')
    const session = readingAfter(c.env.DB, undefined)
    const offers = await callerOffers(session.db, { userId: viewer.userId, role, status, before: cursor && decodeCursor(cursor), limit })
    return c.json(page(offers, limit, (o) => o.id), 200)
  })
  .openapi(getOfferRoute, async (c) => {
    const viewer = principalOf(c)
    const { id } = c.req.valid('param')
    const offer = await listingStub(c.env, await offerListing(c.env, id)).offer(id, viewer.userId)
    if (!offer) throw new Problem(404, 'not_found')
    return c.json(offer, 200)
  })
