import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { requireAccess } from '../http/authorization'
import { json, problems } from '../http/common-schemas'
import { validationProblem } from '../http/validation-problem'
import { systemClock } from '../platform/runtime'
import { loadSloReport } from './slo-adapters'
import { DEFAULT_HOURS, MAX_HOURS } from './slo-report'

/**
 * The service level objectives as staff see them (docs/OPERATIONS.md "Objectives"): each
 * objective's error budget left over its period, its burn rates and the burn-rate rules firing,
 * the busiest routes of the last hour, and a series for the charts.
 */
const tags = ['Admin']
const security = [{ bearer: [] }]

const SloQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_HOURS)
    .default(DEFAULT_HOURS)
    .openapi({ description: `The series' window in hours (1 to ${MAX_HOURS}): steps of 1 minute up to 2 hours, 5 minutes up to 12, 15 minutes beyond`, example: 6 }),
})

const Sli = z
  .object({
    kind: z.enum(['route', 'consumer', 'object', 'outcome']),
    names: z.array(z.string()),
    sli: z.enum(['availability', 'latency']).openapi({ description: '`availability`: good is not an error; `latency`: good took at most `thresholdMs`' }),
    thresholdMs: z.number().optional(),
  })
  .openapi('SloIndicator')

const Counts = z.object({ total: z.number().int(), good: z.number().int() })

const BurnRates = z.object({ '5m': z.number(), '30m': z.number(), '1h': z.number(), '6h': z.number() }).openapi({ description: 'The bad fraction over the budget rate in each window: 1 spends the budget exactly over the period' })

const exampleObjective = {
  id: 'bids_latency',
  description: 'Bids answered within 300 ms',
  sli: { kind: 'route', names: ['POST /v1/listings/:id/bids'], sli: 'latency', thresholdMs: 300 },
  target: 0.99,
  periodDays: 28,
  period: { total: 1_204_311, good: 1_199_870 },
  budgetLeft: 0.631,
  burnRates: { '5m': 0.4, '30m': 0.6, '1h': 0.5, '6h': 0.7 },
  firing: [],
} as const

const exampleRoute = { kind: 'route', name: 'POST /v1/listings/:id/bids', total: 3600, ratePerSecond: 1, errorRate: 0.001, p50Ms: 20, p90Ms: 50, p99Ms: 200 } as const

const exampleReport = {
  generatedAt: '2026-03-16T12:30:20.000Z',
  hours: 6,
  stepSeconds: 300,
  objectives: [exampleObjective],
  routes: [exampleRoute],
  series: [{ at: '2026-03-16T12:30:00.000Z', requests: 310, errorRate: 0.003, p50Ms: 20, p99Ms: 300, burn: { bids_latency: 0.5 } }],
}

const SloReportSchema = z
  .object({
    generatedAt: z.string(),
    hours: z.number().int(),
    stepSeconds: z.number().int().openapi({ description: 'The series step' }),
    objectives: z.array(
      z
        .object({
          id: z.string(),
          description: z.string(),
          sli: Sli,
          target: z.number().openapi({ description: 'The fraction of events that must be good' }),
          periodDays: z.number().int(),
          period: Counts.openapi({ description: 'Events over the period (to the hour), and the good ones' }),
          budgetLeft: z.number().openapi({ description: 'The part of the period’s error budget left: 1 untouched, 0 or less spent' }),
          burnRates: BurnRates,
          firing: z.array(z.string()).openapi({ description: 'The burn-rate rules firing now: `fast_burn` (14.4× over 1 h and 5 min), `slow_burn` (6× over 6 h and 30 min)' }),
        })
        .openapi('SloObjectiveReport', { example: exampleObjective }),
    ),
    routes: z
      .array(
        z
          .object({
            kind: z.enum(['route', 'consumer', 'object', 'outcome']),
            name: z.string(),
            total: z.number().int(),
            ratePerSecond: z.number(),
            errorRate: z.number(),
            p50Ms: z.number().nullable(),
            p90Ms: z.number().nullable(),
            p99Ms: z.number().nullable(),
          })
          .openapi('SloRouteReport', { example: exampleRoute }),
      )
      .openapi({ description: 'What ran in the last hour (routes, consumers, object methods, outcomes), busiest first; percentiles are histogram bounds' }),
    series: z
      .array(
        z.object({
          at: z.string(),
          requests: z.number().int(),
          errorRate: z.number(),
          p50Ms: z.number().nullable(),
          p99Ms: z.number().nullable(),
          burn: z.record(z.string(), z.number()).openapi({ description: 'Each objective’s burn rate over the step, by id' }),
        }),
      )
      .openapi({ description: 'One point per step over the window, empty steps included: route requests, their error rate and percentiles, and each objective’s burn' }),
  })
  .openapi('SloReport', { example: exampleReport })

const sloRoute = createRoute({
  method: 'get',
  path: '/admin/slo',
  tags,
  security,
  summary: 'Staff: the service level objectives: error budget left, burn rates and rules firing, the busiest routes, and a series for charts',
  middleware: requireAccess('ops.observe'),
  request: { query: SloQuery },
  responses: { 200: { description: 'The SLO report', ...json(SloReportSchema) }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

export const sloRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(sloRoute, async (c) => {
  const { hours } = c.req.valid('query')
  const report = await loadSloReport(c.env, systemClock(), hours)
  c.header('cache-control', 'no-store')
  return c.json(report, 200)
})
