import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { decodeCursor, page } from '../core/cursor'
import type { AppEnv } from '../env'
import { requireAccess } from '../http/authorization'
import { PageQuery, pageOf, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { deadLetter, listDeadLetters, markReplayed, type DeadLetter } from './dead-letter-store'

const replayable = ['souk-events', 'souk-jobs', 'souk-webhooks', 'souk-notifications'] as const

const DeadLetterSchema = z
  .object({ id: z.string(), queue: z.string(), body: z.unknown(), attempts: z.number().int(), receivedAt: z.string(), replayedAt: z.string().nullable() })
  .openapi('DeadLetter')

const listRoute = createRoute({
  method: 'get',
  path: '/admin/dead-letters',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admin: what the queues gave up on, newest first',
  middleware: requireAccess('deadLetters.manage'),
  request: { query: PageQuery.extend({ queue: z.enum(replayable).optional() }) },
  responses: { 200: { description: 'A page of dead letters', content: { 'application/json': { schema: pageOf(DeadLetterSchema).openapi('DeadLetterPage') } } }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

const replayRoute = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{id}/replay',
  tags: ['Admin'],
  security: [{ bearer: [] }],
  summary: 'Admin: send one dead letter back to its queue (consumers are idempotent)',
  middleware: requireAccess('deadLetters.manage'),
  request: { params: z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 202: { description: 'Sent back', content: { 'application/json': { schema: DeadLetterSchema } } }, 401: problems[401], 403: problems[403], 404: problems[404] },
})

/** The producer binding of each queue a dead letter can go back to. */
function queueOf(env: Env, name: string): Queue | undefined {
  if (name === 'souk-events') return env.EVENTS
  if (name === 'souk-jobs') return env.JOBS
  if (name === 'souk-webhooks') return env.WEBHOOKS
  if (name === 'souk-notifications') return env.NOTIFICATIONS
  return undefined
}

export const deadLetterRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(listRoute, async (c) => {
    const { limit, cursor, queue } = c.req.valid('query')
    const rows = await listDeadLetters(c.env.DB, limit, queue, cursor ? decodeCursor(cursor) : undefined)
    return c.json(page(rows, limit, (d: DeadLetter) => d.id), 200)
  })
  .openapi(replayRoute, async (c) => {
    const letter = await deadLetter(c.env.DB, c.req.valid('param').id)
    const queue = letter ? queueOf(c.env, letter.queue) : undefined
    if (!letter || !queue) throw new Problem(404, 'not_found')
    await queue.send(letter.body, { contentType: 'json' })
    const at = systemClock().toISOString()
    await markReplayed(c.env.DB, letter.id, at)
    c.var.log.warn('dead_letter_replayed', { id: letter.id, queue: letter.queue })
    return c.json({ ...letter, replayedAt: at }, 202)
  })
