import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { audit } from '../audit/audit-adapters'
import { decodeCursor, page } from '../core/cursor'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { json, jsonBody, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, systemClock } from '../platform/runtime'
import { isPollTrigger, questionFor, ratesSeller, type PollAudience } from './poll-audience'
import { distributionOf, pollResults, ratingAverage, type PollResults } from './poll-results'
import { AnswerBody, AnswerSchema, CreatePollBody, MyRatingsSchema, PollIdParam, PollPage, PollResultsSchema, PollSchema, PollsQuery, WaitingPollPage } from './poll-schemas'
import { addAnswer, deliveryToAnswer, findPoll, insertPoll, listPolls, pollTally, ratingsOf, waitingPolls, type Poll } from './poll-store'

const security = [{ bearer: [] }]
const admin = { 400: problems[400], 401: problems[401], 403: problems[403] } as const

const createRouteDef = createRoute({
  method: 'post',
  path: '/admin/polls',
  tags: ['Admin'],
  security,
  summary: 'Staff: define a feedback poll, put to an order’s buyer or seller each time its trigger event happens; audited',
  middleware: requireAccess('polls.manage'),
  request: { body: jsonBody(CreatePollBody) },
  responses: {
    201: { description: 'The poll, active', ...json(PollSchema) },
    ...admin,
    422: { description: '`poll_trigger_invalid`: the trigger is not an event with a buyer and a seller', content: problems[422].content },
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/admin/polls',
  tags: ['Admin'],
  security,
  summary: 'Staff: the polls, newest first, with how many they reached and how many answered',
  middleware: requireAccess('polls.manage'),
  request: { query: PollsQuery },
  responses: { 200: { description: 'A page of polls', ...json(PollPage) }, ...admin },
})

const resultsRoute = createRoute({
  method: 'get',
  path: '/admin/polls/{id}/results',
  tags: ['Admin'],
  security,
  summary: 'Staff: a poll’s results: how many answered, the mean, the NPS and the distribution of scores 0 to 10',
  middleware: requireAccess('polls.manage'),
  request: { params: PollIdParam },
  responses: { 200: { description: 'The results', ...json(PollResultsSchema) }, ...admin, 404: problems[404] },
})

const waitingRoute = createRoute({
  method: 'get',
  path: '/me/polls',
  tags: ['Polls'],
  security,
  summary: 'The polls waiting for the caller’s answer, newest first: one per poll and order, the other party named',
  middleware: requireAccess('polls.answer'),
  request: { query: PollsQuery },
  responses: { 200: { description: 'A page of polls to answer', ...json(WaitingPollPage) }, ...admin },
})

const answerRoute = createRoute({
  method: 'post',
  path: '/polls/{id}/answers',
  tags: ['Polls'],
  security,
  summary: 'Answer a poll put to the caller: once per poll and order (`deliveryId`, or the oldest one not answered)',
  middleware: requireAccess('polls.answer'),
  request: { params: PollIdParam, body: jsonBody(AnswerBody) },
  responses: {
    201: { description: 'The answer', ...json(AnswerSchema) },
    ...admin,
    404: { description: 'The poll was never put to the caller (or `deliveryId` is not theirs)', content: problems[404].content },
    409: { description: '`already_answered`: the caller answered this poll for this order already', content: problems[409].content },
  },
})

const ratingsRoute = createRoute({
  method: 'get',
  path: '/me/ratings',
  tags: ['Polls'],
  security,
  summary: 'The caller’s ratings: the reviews others wrote about them, and buyers’ poll answers about them as a seller',
  middleware: requireAccess('account.read'),
  responses: { 200: { description: 'The ratings', ...json(MyRatingsSchema) }, 401: problems[401], 403: problems[403] },
})

const notDelivered = () => new Problem(404, 'not_found', 'No such poll was put to you')

/** Defines a poll (the route's and the console's one way), audited as `poll.created`. */
export async function createPoll(c: Context<AppEnv>, input: { question: string; trigger: string; audience: PollAudience }): Promise<Poll> {
  if (!isPollTrigger(input.trigger)) throw new Problem(422, 'poll_trigger_invalid', `${input.trigger} is not an order event (such as order.completed or order.delivered)`)
  const staff = principalOf(c).userId
  const now = systemClock()
  const poll: Poll = { id: newId('pol', now), question: input.question, trigger: input.trigger, audience: input.audience, createdBy: staff, createdAt: now.toISOString(), active: true }
  await insertPoll(c.env.DB, poll)
  await audit(c.env, c.var.log, { actorId: staff, action: 'poll.created', subjectId: poll.id, details: { trigger: poll.trigger, audience: poll.audience } })
  return poll
}

/** A poll's results (the route's and the console's), undefined for no such poll. */
export async function resultsOf(d1: D1Database, pollId: string): Promise<{ poll: Poll; delivered: number; results: PollResults } | undefined> {
  const poll = await findPoll(d1, pollId)
  if (!poll) return undefined
  const tally = await pollTally(d1, pollId)
  return { poll, delivered: tally.delivered, results: pollResults(distributionOf(tally.scores)) }
}

export const pollRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(createRouteDef, async (c) => c.json(await createPoll(c, c.req.valid('json')), 201))
  .openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const rows = await listPolls(c.env.DB, limit, cursor ? decodeCursor(cursor) : undefined)
    return c.json(page(rows, limit, (p) => p.id), 200)
  })
  .openapi(resultsRoute, async (c) => {
    const found = await resultsOf(c.env.DB, c.req.valid('param').id)
    if (!found) throw new Problem(404, 'not_found', 'No such poll')
    return c.json({ poll: found.poll, delivered: found.delivered, ...found.results }, 200)
  })
  .openapi(waitingRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const rows = await waitingPolls(c.env.DB, principalOf(c).userId, limit, cursor ? decodeCursor(cursor) : undefined)
    const { data, nextCursor } = page(rows, limit, (w) => w.deliveryId)
    return c.json(
      {
        data: data.map((w) => ({ pollId: w.pollId, deliveryId: w.deliveryId, question: questionFor(w.question, w.subjectName), subject: { id: w.subjectId, displayName: w.subjectName }, orderId: w.orderId, deliveredAt: w.deliveredAt })),
        nextCursor,
      },
      200,
    )
  })
  .openapi(answerRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { score, comment, deliveryId } = c.req.valid('json')
    const userId = principalOf(c).userId
    const [poll, delivery] = await Promise.all([findPoll(c.env.DB, id), deliveryToAnswer(c.env.DB, id, userId, deliveryId)])
    if (!poll || !delivery) throw notDelivered()
    const answer = { deliveryId: delivery.id, pollId: poll.id, userId, subjectId: delivery.subjectId, score, comment: comment === undefined || comment === '' ? null : comment, answeredAt: systemClock().toISOString() }
    if (delivery.answered || !(await addAnswer(c.env.DB, answer, ratesSeller(poll.audience)))) throw new Problem(409, 'already_answered')
    return c.json({ pollId: poll.id, deliveryId: delivery.id, orderId: delivery.orderId, score, comment: answer.comment, answeredAt: answer.answeredAt }, 201)
  })
  .openapi(ratingsRoute, async (c) => {
    const { reviews, feedback } = await ratingsOf(c.env.DB, principalOf(c).userId)
    return c.json({ reviews: { average: ratingAverage(reviews.count, reviews.sum), count: reviews.count }, feedback: { average: ratingAverage(feedback.count, feedback.sum), count: feedback.count } }, 200)
  })
