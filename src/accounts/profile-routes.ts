import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { problems } from '../http/common-schemas'
import { contentTag, notModified, revalidateEachTime } from '../http/conditional-get'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { ProfileIdParam, ProfileSchema, PublicReviewPage, ReviewsQuery } from './profile-schemas'
import { findProfile, reviewCursor, reviewsAbout } from './profile-store'
import { isVerified } from '../kyc/verification-store'

const tags = ['Profiles']
const notModifiedResponse = { description: 'Not modified: the `If-None-Match` tag is current (no body)' }

const profileRoute = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags,
  summary: 'A user’s public profile with their rating; ETag, 304 when If-None-Match names it; 404 for an unknown or erased user',
  request: { params: ProfileIdParam },
  responses: { 200: { description: 'The profile', content: { 'application/json': { schema: ProfileSchema } } }, 304: notModifiedResponse, 400: problems[400], 404: problems[404] },
})

const reviewsRoute = createRoute({
  method: 'get',
  path: '/users/{id}/reviews',
  tags,
  summary: 'The reviews others wrote about this user, newest first; ETag, 304 when If-None-Match names it',
  request: { params: ProfileIdParam, query: ReviewsQuery },
  responses: { 200: { description: 'A page of reviews', content: { 'application/json': { schema: PublicReviewPage } } }, 304: notModifiedResponse, 400: problems[400], 404: problems[404] },
})

const noSuchUser = () => new Problem(404, 'not_found', 'No such user')

export const profileRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(profileRoute, async (c) => {
    const db = database(c.env.DB)
    const { id } = c.req.valid('param')
    const [profile, verifiedSeller] = await Promise.all([findProfile(db, id), isVerified(db, id)])
    if (!profile) throw noSuchUser()
    const body = {
      id: profile.id,
      displayName: profile.displayName,
      memberSince: profile.memberSince,
      verifiedSeller,
      rating: { average: profile.ratingAverage, count: profile.ratingCount },
      feedback: { average: profile.feedbackAverage, count: profile.feedbackCount },
    }
    if (notModified(c, await contentTag(body), revalidateEachTime)) return c.body(null, 304)
    return c.json(body, 200)
  })
  .openapi(reviewsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    const db = database(c.env.DB)
    if (!(await findProfile(db, id))) throw noSuchUser()
    const rows = await reviewsAbout(db, id, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, reviewCursor)
    const body = {
      data: data.map((r) => ({ author: { id: r.authorId, displayName: r.authorName }, authorRole: r.authorRole, rating: r.rating, comment: r.comment, createdAt: r.createdAt })),
      nextCursor,
    }
    if (notModified(c, await contentTag(body), revalidateEachTime)) return c.body(null, 304)
    return c.json(body, 200)
  })
