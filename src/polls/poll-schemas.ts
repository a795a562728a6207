import { z } from '@hono/zod-openapi'
import { pageOf, PageQuery } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { textBlock, textLine } from '../http/text-schemas'
import { pollAudiences, pollTriggers } from './poll-audience'
import { MAX_SCORE, MIN_SCORE } from './poll-results'

/** Feedback polls on the wire (docs/NOTIFICATIONS.md "Feedback polls"). */

const Timestamp = z.string().openapi({ format: 'date-time' })
const idParam = (prefix: string, example: string) =>
  z.object({ id: z.string().regex(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`), `must be a ${prefix}_ id`).openapi({ param: { name: 'id', in: 'path' }, example }) })

export const PollIdParam = idParam('pol', exampleIds.poll)

export const CreatePollBody = z
  .strictObject({
    question: textLine(200).openapi({ description: 'What the audience is asked; `{subject}` reads as the other party’s display name' }),
    trigger: z.string().min(1).max(64).openapi({ description: `The order event that puts the poll to its audience: one of ${pollTriggers.map((t) => `\`${t}\``).join(', ')}; anything else is 422 \`poll_trigger_invalid\`` }),
    audience: z.enum(pollAudiences).openapi({ description: 'Whom the poll asks: the order’s `buyer` (about the seller) or its `seller` (about the buyer)' }),
  })
  .openapi('PollCreate', { example: { question: 'How was buying from {subject}?', trigger: 'order.completed', audience: 'buyer' } })

const examplePoll = { id: exampleIds.poll, question: 'How was buying from {subject}?', trigger: 'order.completed', audience: 'buyer', active: true, createdBy: exampleIds.admin, createdAt: '2026-03-16T10:12:00.000Z' } as const

const pollShape = {
  id: z.string(),
  question: z.string(),
  trigger: z.string(),
  audience: z.enum(pollAudiences),
  active: z.boolean().openapi({ description: 'Put to its audience when its trigger happens' }),
  createdBy: z.string(),
  createdAt: Timestamp,
}

export const PollSchema = z.object(pollShape).openapi('Poll', { example: examplePoll })

// Its own object, not Poll extended: an extension is published as allOf over Poll's $ref, which
// the reference's validator refuses.
const PollSummarySchema = z.object({
  ...pollShape,
  delivered: z.number().int().openapi({ description: 'How many times it was put to somebody (once per person and order)' }),
  answered: z.number().int(),
}).openapi('PollSummary', { example: { ...examplePoll, delivered: 12, answered: 9 } })

export const PollPage = pageOf(PollSummarySchema).openapi('PollPage', { example: { data: [{ ...examplePoll, delivered: 12, answered: 9 }], nextCursor: null } })
export const PollsQuery = PageQuery

export const PollResultsSchema = z
  .object({
    poll: PollSchema,
    delivered: z.number().int(),
    count: z.number().int().openapi({ description: 'How many answered' }),
    average: z.number().nullable().openapi({ description: 'Mean score (0 to 10, two decimals); null with no answers' }),
    nps: z.number().nullable().openapi({ description: 'Net Promoter Score: % promoters (9–10) − % detractors (0–6), −100 to 100, one decimal; null with no answers' }),
    promoters: z.number().int(),
    passives: z.number().int(),
    detractors: z.number().int(),
    distribution: z.array(z.number().int()).length(MAX_SCORE + 1).openapi({ description: 'How many answered each score, index 0 to 10' }),
  })
  .openapi('PollResults', {
    example: { poll: examplePoll, delivered: 12, count: 9, average: 8.33, nps: 44.4, promoters: 5, passives: 3, detractors: 1, distribution: [0, 0, 0, 0, 0, 1, 0, 2, 1, 2, 3] },
  })

const exampleWaiting = {
  pollId: exampleIds.poll,
  deliveryId: exampleIds.pollDelivery,
  question: 'How was buying from Sam?',
  subject: { id: exampleIds.seller, displayName: 'Sam' },
  orderId: exampleIds.order,
  deliveredAt: '2026-03-21T18:10:00.000Z',
}

const WaitingPollSchema = z
  .object({
    pollId: z.string(),
    deliveryId: z.string().openapi({ description: 'This putting of the poll (one per order): answer it with `deliveryId`' }),
    question: z.string().openapi({ description: 'The question as the caller reads it, the other party named' }),
    subject: z.object({ id: z.string(), displayName: z.string() }).openapi({ description: 'Whom the question is about: the order’s other party' }),
    orderId: z.string(),
    deliveredAt: Timestamp,
  })
  .openapi('WaitingPoll')

export const WaitingPollPage = pageOf(WaitingPollSchema).openapi('WaitingPollPage', { example: { data: [exampleWaiting], nextCursor: null } })

export const AnswerBody = z
  .strictObject({
    score: z.number().int().min(MIN_SCORE).max(MAX_SCORE).openapi({ description: '0 (not at all likely) to 10 (extremely likely)' }),
    comment: textBlock(1000).optional(),
    deliveryId: z
      .string()
      .regex(/^pdv_[0-9a-hjkmnp-tv-z]{26}$/, 'must be a pdv_ id')
      .optional()
      .openapi({ description: 'Which order the answer is about (from `GET /v1/me/polls`); without it, the oldest one not answered yet' }),
  })
  .openapi('PollAnswerCreate', { example: { score: 9, comment: 'Quick to ship, well packed.', deliveryId: exampleIds.pollDelivery } })

export const AnswerSchema = z
  .object({ pollId: z.string(), deliveryId: z.string(), orderId: z.string(), score: z.number().int(), comment: z.string().nullable(), answeredAt: Timestamp })
  .openapi('PollAnswer', { example: { pollId: exampleIds.poll, deliveryId: exampleIds.pollDelivery, orderId: exampleIds.order, score: 9, comment: 'Quick to ship, well packed.', answeredAt: '2026-03-21T18:12:00.000Z' } })

const Rating = (description: string) => z.object({ average: z.number().nullable(), count: z.number().int() }).openapi({ description })

export const MyRatingsSchema = z
  .object({
    reviews: Rating('The reviews others wrote about the caller (1 to 5); the same as the public profile’s `rating`'),
    feedback: Rating('Buyers’ poll answers about the caller as a seller (0 to 10); the same as the public profile’s `feedback`'),
  })
  .openapi('MyRatings', { example: { reviews: { average: 4.5, count: 2 }, feedback: { average: 8.75, count: 4 } } })
