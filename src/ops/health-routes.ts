import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { checkHealth } from './health-checks'

const Check = z.object({ status: z.enum(['ok', 'error']), latencyMs: z.number(), detail: z.string().optional() })
const HealthSchema = z
  .object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), Check) })
  .openapi('Health', {
    example: {
      status: 'ok',
      checks: {
        config: { status: 'ok', latencyMs: 0 },
        d1: { status: 'ok', latencyMs: 3 },
        queue: { status: 'ok', latencyMs: 5 },
        durableObjects: { status: 'ok', latencyMs: 4 },
        gatewayBreaker: { status: 'ok', latencyMs: 2 },
      },
    },
  })

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Operations'],
  summary: 'Liveness and the state of each dependency (config, D1, queue, Durable Objects)',
  responses: {
    200: { description: 'Everything is up', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'A dependency is down', content: { 'application/json': { schema: HealthSchema } } },
  },
})

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(healthRoute, async (c) => {
  const report = await checkHealth(c.env)
  c.header('Cache-Control', 'no-store')
  return report.status === 'ok' ? c.json(report, 200) : c.json(report, 503)
})
