import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { bindingTally } from '../http/binding-probe'
import { problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'

const tally = z.record(z.string(), z.number())
const CountsSchema = z
  .object({
    d1Statements: z.number(),
    d1Batches: z.number(),
    d1BatchedStatements: z.number(),
    d1Writes: z.number(),
    objectCalls: z.number(),
    objects: tally,
    objectMethods: tally,
    queueSends: z.number(),
    queues: tally,
  })
  .openapi('DevBindingCounts')
const PhaseSchema = z.object({ total: CountsSchema, perRequest: CountsSchema })
const OperationSchema = z
  .object({ operation: z.string(), requests: z.number().int(), request: PhaseSchema, afterResponse: PhaseSchema })
  .openapi('DevOperationBindingCounts')

const counts = (d1Statements: number, d1Writes: number, objectCalls: number) => ({
  d1Statements,
  d1Batches: 0,
  d1BatchedStatements: 0,
  d1Writes,
  objectCalls,
  objects: objectCalls ? { LISTINGS: objectCalls } : {},
  objectMethods: objectCalls ? { 'LISTINGS.view': objectCalls } : {},
  queueSends: 0,
  queues: {},
})
const ReportSchema = z.object({ data: z.array(OperationSchema) }).openapi('DevBindingCountsReport', {
  example: {
    data: [
      { operation: 'GET /v1/listings/:id 200', requests: 2, request: { total: counts(0, 0, 2), perRequest: counts(0, 0, 1) }, afterResponse: { total: counts(0, 0, 0), perRequest: counts(0, 0, 0) } },
    ],
  },
})

const countsRoute = createRoute({
  method: 'get',
  path: '/dev/binding-counts',
  tags: ['Development'],
  summary:
    'Development only (BINDING_PROBE=on): D1 statements, batches and writes, Durable Object calls and queue sends per operation (`METHOD /route/pattern status`), on the request path and after the response; `reset=1` clears them once read',
  request: { query: z.object({ reset: z.enum(['1']).optional() }) },
  responses: { 200: { description: 'By operation, since the last reset (this isolate)', content: { 'application/json': { schema: ReportSchema } } }, 404: problems[404] },
})

export const bindingCountsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(countsRoute, (c) => {
  // The counts exist only where the probe runs: development, with BINDING_PROBE=on.
  if (c.var.settings.environment !== 'development' || !c.var.settings.bindingProbe) throw new Problem(404, 'not_found')
  const data = bindingTally.report()
  if (c.req.valid('query').reset === '1') bindingTally.reset()
  return c.json({ data }, 200)
})
