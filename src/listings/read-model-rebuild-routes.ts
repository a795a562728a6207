import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { database } from '../db/client'
import type { AppEnv } from '../env'
import { principalOf, requireAccess } from '../http/authorization'
import { problems } from '../http/common-schemas'
import { exampleIds } from '../http/openapi-example-ids'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { newId, systemClock } from '../platform/runtime'
import { DEFAULT_CHUNK_SIZE, rebuildPhases, rebuildStatuses, type Rebuild } from './read-model-rebuild'
import { firstStep } from './read-model-rebuild-job'
import { abandonRebuild, rebuildById, startRebuild } from './read-model-rebuild-store'
import { audit } from '../audit/audit-adapters'

const tags = ['Admin']
const security = [{ bearer: [] }]

const RebuildSchema = z
  .object({
    id: z.string(),
    status: z.enum(rebuildStatuses).openapi({ description: '`running`, then `done`; `abandoned` when it stopped making progress (its step was dead-lettered) or could not start' }),
    requestedBy: z.string(),
    fromScratch: z.boolean().openapi({ description: 'Started with `fromScratch`: the read model is emptied before the walk' }),
    phase: z.enum(rebuildPhases).openapi({
      description: 'From scratch: `clearing_listings`, then `clearing_offers` (search shows fewer listings until the walk reaches them), then `walking`; otherwise `walking` throughout',
    }),
    cleared: z.number().int().openapi({ description: 'Read-model rows (listings and offers) removed while clearing' }),
    total: z.number().int().openapi({ description: 'Listings registered when it started' }),
    processed: z.number().int().openapi({ description: 'Listings whose snapshot was applied so far' }),
    missing: z.number().int().openapi({ description: 'Registered ids whose object holds no listing' }),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ReadModelRebuild', {
    example: {
      id: exampleIds.readModelRebuild,
      status: 'running',
      requestedBy: exampleIds.admin,
      fromScratch: true,
      phase: 'walking',
      cleared: 2315,
      total: 1840,
      processed: 600,
      missing: 0,
      startedAt: '2026-03-20T07:00:00.000Z',
      updatedAt: '2026-03-20T07:00:04.000Z',
      finishedAt: null,
    },
  })

const rebuildJson = { content: { 'application/json': { schema: RebuildSchema } } }
const RebuildIdParam = z.object({ id: z.string().regex(/^job_[0-9a-z]{26}$/, 'must be a rebuild id').openapi({ param: { name: 'id', in: 'path' }, example: exampleIds.readModelRebuild }) })

const StartRebuildBody = z
  .strictObject({
    fromScratch: z.boolean().optional().openapi({
      description: 'Empty the read model (listings with their search index, and offers) in chunks before walking the listing objects; the listing registry is kept. Default false',
      example: true,
    }),
  })
  .openapi('ReadModelRebuildRequest', { example: { fromScratch: true } })

const startRoute = createRoute({
  method: 'post',
  path: '/admin/read-model/rebuild',
  tags,
  security,
  summary: 'Admin: rebuild the search read model from the listing objects, in the background',
  middleware: requireAccess('readModel.rebuild'),
  // Optional: no body is `{}`, a rebuild over the read model as it is.
  request: { body: { required: false, content: { 'application/json': { schema: StartRebuildBody } } } },
  responses: {
    202: { description: 'Started; follow it at `Location`', ...rebuildJson },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: { description: '`rebuild_running`: one is running; `rebuildId` and `Location` name it', content: problems[409].content },
    503: problems[503],
  },
})

const progressRoute = createRoute({
  method: 'get',
  path: '/admin/read-model/rebuilds/{id}',
  tags,
  security,
  summary: 'Admin: how far a read-model rebuild has got',
  middleware: requireAccess('readModel.rebuild'),
  request: { params: RebuildIdParam },
  responses: { 200: { description: 'The rebuild', ...rebuildJson }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
})

const location = (id: string) => `/v1/admin/read-model/rebuilds/${id}`

function rebuildView(r: Rebuild): z.infer<typeof RebuildSchema> {
  const { id, status, requestedBy, fromScratch, phase, cleared, total, processed, missing, startedAt, updatedAt, finishedAt } = r
  return { id, status, requestedBy, fromScratch, phase, cleared, total, processed, missing, startedAt, updatedAt, finishedAt }
}

export const readModelRebuildRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  .openapi(startRoute, async (c) => {
    const staff = principalOf(c)
    const fromScratch = c.req.valid('json').fromScratch ?? false
    const db = database(c.env.DB)
    const now = systemClock()
    const outcome = await startRebuild(db, { id: newId('job', now), requestedBy: staff.userId, chunkSize: DEFAULT_CHUNK_SIZE, now, fromScratch })
    if ('running' in outcome) {
      throw new Problem(409, 'rebuild_running', `Rebuild ${outcome.running.id} is running`, { extra: { rebuildId: outcome.running.id }, headers: { Location: location(outcome.running.id) } })
    }
    const rebuild = outcome.started
    for (const id of outcome.abandoned) c.var.log.warn('read_model_rebuild_abandoned', { rebuildId: id, by: staff.userId })
    try {
      await c.env.JOBS.send(firstStep(rebuild.id), { contentType: 'json' })
    } catch (err) {
      // Nothing would ever run it: free the slot for the operator's retry.
      await abandonRebuild(db, rebuild.id, systemClock())
      c.var.log.warn('read_model_rebuild_unqueued', { rebuildId: rebuild.id, err })
      throw new Problem(503, 'service_unavailable', 'The jobs queue did not take the rebuild; retry', { headers: { 'Retry-After': '5' } })
    }
    c.var.log.info('read_model_rebuild_started', { rebuildId: rebuild.id, by: staff.userId, total: rebuild.total, fromScratch })
    await audit(c.env, c.var.log, { actorId: staff.userId, action: 'read_model.rebuild_started', subjectId: rebuild.id, details: { total: rebuild.total, fromScratch } })
    c.header('Location', location(rebuild.id))
    return c.json(rebuildView(rebuild), 202)
  })
  .openapi(progressRoute, async (c) => {
    const rebuild = await rebuildById(database(c.env.DB), c.req.valid('param').id)
    if (!rebuild) throw new Problem(404, 'not_found')
    return c.json(rebuildView(rebuild), 200)
  })
