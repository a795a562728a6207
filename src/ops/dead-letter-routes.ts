import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { decodeCursor, page } from '../core/cursor'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { PageQuery, pageOf, problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { EventEnvelope } from '../events/event-envelope'
import { consumerNames, subscriptions } from '../events/event-subscriptions'
import { publishEvents } from '../events/publish-events'
import { systemClock } from '../platform/runtime'
import { deadLetter, listDeadLetters, markReplayed, type DeadLetter } from './dead-letter-store'
import { audit, auditPersonalDataRead } from '../audit/audit-adapters'

/** The queues whose dead letters can be replayed: each event consumer's own, and the others. */
export const replayable = ['souk-jobs', 'souk-webhooks', 'souk-notifications', 'souk-events', ...consumerNames.map((name) => subscriptions[name].queue)] as const

/** A delivery job the webhooks queue gave up on (Souk's own D1 failing, not the receiver). */
const exampleLetter = { id: exampleIds.deadLetter, queue: 'souk-webhooks', body: { messageId: exampleIds.webhookDelivery }, attempts: 6, receivedAt: '2026-03-16T10:09:30.000Z', replayedAt: null }

const DeadLetterSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    // Any JSON value, with every type named: readers such as Scalar cannot read an empty schema.
    body: z.unknown().openapi({ type: ['object', 'array', 'string', 'number', 'boolean', 'null'], description: 'The message as it was queued' }),
    attempts: z.number().int(),
    receivedAt: z.string(),
    replayedAt: z.string().nullable(),
  })
  .openapi('DeadLetter', { example: exampleLetter })

const listRoute = createRoute({
  method: 'get',
  path: '/admin/dead-letters',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admin: what the queues gave up on, newest first',
  middleware: requireAccess('deadLetters.manage'),
  request: { query: PageQuery.extend({ queue: z.enum(replayable).optional() }) },
  responses: { 200: { description: 'A page of dead letters', content: { 'application/json': { schema: pageOf(DeadLetterSchema).openapi('DeadLetterPage', { example: { data: [exampleLetter], nextCursor: null } }) } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const replayRoute = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{id}/replay',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admin: send one dead letter back to its queue (consumers are idempotent)',
  middleware: requireAccess('deadLetters.manage'),
  request: { params: z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.deadLetter }) }) },
  responses: { 202: { description: 'Sent back', content: { 'application/json': { schema: DeadLetterSchema, example: { ...exampleLetter, replayedAt: '2026-03-16T11:00:00.000Z' } } } }, 401: problems[401], 403: problems[403], 404: problems[404], 422: problems[422] },
})

/**
 * The producer binding of each queue a dead letter can go back to. An event consumer's dead letter
 * goes back to that consumer's queue alone: the others applied the event already.
 */
function senderOf(env: Env, name: string): ((body: unknown) => Promise<unknown>) | undefined {
  const send = (queue: Queue) => (body: unknown) => queue.send(body, { contentType: 'json' })
  // The queue every consumer shared before each had its own: its letters go to all of them.
  if (name === 'souk-events')
    return async (body) => {
      const event = EventEnvelope.safeParse(body)
      // Not an event at all: there is no consumer to send it to.
      if (!event.success) throw new Problem(422, 'validation_failed', 'This dead letter is not an event envelope; it cannot be replayed.')
      await publishEvents(env, [event.data])
    }
  const consumer = consumerNames.find((c) => subscriptions[c].queue === name)
  if (consumer) return send(env[subscriptions[consumer].binding])
  if (name === 'souk-jobs') return send(env.JOBS)
  if (name === 'souk-webhooks') return send(env.WEBHOOKS)
  if (name === 'souk-notifications') return send(env.NOTIFICATIONS)
  return undefined
}

export const deadLetterRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(listRoute, async (c) => {
    const { limit, cursor, queue } = c.req.valid('query')
    return c.json(await readDeadLetters(c, { limit, queue, cursor }), 200)
  })
  .openapi(replayRoute, async (c) => c.json(await replayDeadLetter(c, c.req.valid('param').id), 202))

/**
 * A page of dead letters, newest first, the read on the record: a dead letter is a message as it
 * was queued, and notifications, webhooks and events carry people's data. The console's
 * dead-letters page reads through here too (`notReplayed`: only those still waiting).
 */
export async function readDeadLetters(c: Context<AppEnv>, q: { limit: number; queue?: string; cursor?: string; notReplayed?: boolean }): Promise<{ data: DeadLetter[]; nextCursor: string | null }> {
  const rows = await listDeadLetters(c.env.DB, q.limit, q.queue, q.cursor ? decodeCursor(q.cursor) : undefined, q.notReplayed)
  await auditPersonalDataRead(c.env, c.var.log, { staffId: principalOf(c).userId, subjectId: null, what: 'dead_letters', resourceId: q.queue ?? null, requestId: c.var.requestId, details: { count: Math.min(rows.length, q.limit) } })
  return page(rows, q.limit, (d: DeadLetter) => d.id)
}

/**
 * Sends one dead letter back to its queue, marks it replayed and audits it; 404 when there is no
 * such letter or its queue is not one a letter can go back to. The console's dead-letters page
 * replays through here too.
 */
export async function replayDeadLetter(c: Context<AppEnv>, id: string): Promise<DeadLetter> {
  const letter = await deadLetter(c.env.DB, id)
  const send = letter ? senderOf(c.env, letter.queue) : undefined
  if (!letter || !send) throw new Problem(404, 'not_found')
  await send(letter.body)
  const at = systemClock().toISOString()
  await markReplayed(c.env.DB, letter.id, at)
  c.var.log.warn('dead_letter_replayed', { id: letter.id, queue: letter.queue })
  await audit(c.env, c.var.log, { actorId: principalOf(c).userId, action: 'dead_letter.replayed', subjectId: letter.id, details: { queue: letter.queue } })
  return { ...letter, replayedAt: at }
}
