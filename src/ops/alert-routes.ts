import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { decodeCursor, encodeCursor } from '../core/cursor'
import type { AppEnv } from '../env'
import { requireAccess } from '../http/authorization'
import { json, PageQuery, problems } from '../http/common-schemas'
import { Problem } from '../http/problem'
import { validationProblem } from '../http/validation-problem'
import { alertsStub } from './alerts-object'

/**
 * Staff read the alerts the alerts object raised and resolved (docs/OPERATIONS.md "Alerts"): burn
 * rates of the objectives and anomalies of the checkout decline and webhook failure rates.
 */
const tags = ['Admin']
const security = [{ bearer: [] }]

const exampleAlert = {
  id: 7,
  dedupKey: 'checkout_availability:fast_burn',
  source: 'burn_rate',
  objective: 'checkout_availability',
  rule: 'fast_burn',
  severity: 'critical',
  summary: 'checkout_availability: error budget burning at 52.3× (fast burn)',
  status: 'resolved',
  openedAt: '2026-03-16T10:04:00.000Z',
  resolvedAt: '2026-03-16T10:31:00.000Z',
} as const

const AlertSchema = z
  .object({
    id: z.number().int(),
    dedupKey: z.string().openapi({ description: 'What PagerDuty keeps the incident under: `{objective}:{rule}`, or `anomaly:{rate}`' }),
    source: z.enum(['burn_rate', 'anomaly']),
    objective: z.string().openapi({ description: 'The objective whose budget burns, or the rate that jumped (`checkout_decline_rate`, `webhook_failure_rate`)' }),
    rule: z.string().openapi({ description: '`fast_burn` (1 h and 5 min over 14.4×), `slow_burn` (6 h and 30 min over 6×) or `ewma_anomaly`' }),
    severity: z.enum(['critical', 'error']),
    summary: z.string(),
    status: z.enum(['open', 'resolved']),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('Alert', { example: exampleAlert })

const AlertPage = z
  .object({
    data: z.array(AlertSchema),
    nextCursor: z.string().nullable(),
    pager: z
      .object({
        configured: z.boolean().openapi({ description: 'False: PAGERDUTY_ROUTING_KEY is not set, and alerts are only kept and listed' }),
        pendingSends: z.number().int().openapi({ description: 'Triggers and resolves PagerDuty has not taken yet (tried again at each evaluation)' }),
      })
      .openapi({ description: 'Whether the alerts reach PagerDuty' }),
  })
  .openapi('AlertPage', { example: { data: [exampleAlert], nextCursor: null, pager: { configured: true, pendingSends: 0 } } })

const AlertQuery = PageQuery.extend({ status: z.enum(['open', 'resolved', 'all']).default('all').openapi({ example: 'open', description: 'Open alerts, resolved ones, or both (the default)' }) })

const listRoute = createRoute({
  method: 'get',
  path: '/admin/alerts',
  tags,
  security,
  summary: 'Staff: alerts raised by burn rates and anomalies, newest first, open and resolved',
  middleware: requireAccess('ops.observe'),
  request: { query: AlertQuery },
  responses: { 200: { description: 'A page of alerts', ...json(AlertPage) }, 400: problems[400], 401: problems[401], 403: problems[403] },
})

export const alertRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem }).openapi(listRoute, async (c) => {
  const { status, limit, cursor } = c.req.valid('query')
  const after = cursor === undefined ? undefined : Number(decodeCursor(cursor))
  if (after !== undefined && !(Number.isSafeInteger(after) && after > 0)) throw new Problem(400, 'validation_failed', 'The cursor is not one this list gave')
  const page = await alertsStub(c.env).list({ status, limit, before: after })
  const last = page.data.at(-1)
  return c.json({ data: page.data, nextCursor: page.hasMore && last ? encodeCursor(String(last.id)) : null, pager: page.pager }, 200)
})
