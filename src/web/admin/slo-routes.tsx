import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { loadSloReport } from '../../ops/slo-adapters'
import { clampHours, DEFAULT_HOURS } from '../../ops/slo-report'
import { systemClock } from '../../platform/runtime'
import { frameOf, renderPage } from '../page-render'
import { AdminLayout } from './admin-layout'
import { formatTime } from './format'
import { ObjectivesTable, RoutesTable, SloCharts } from './slo-view'

const windows = [1, 6, 24, 48] as const

/**
 * `/admin/slo` (support and admins): the report `GET /v1/admin/slo` answers, drawn: latency
 * percentiles, requests, error rate and each objective's burn over the chosen window (`?hours=`),
 * then the objectives and what ran in the last hour.
 */
export const sloPageRoutes = new Hono<AppEnv>().get('/admin/slo', requireAccess('ops.observe'), async (c) => {
  const asked = Number(c.req.query('hours'))
  const hours = clampHours(Number.isFinite(asked) && asked > 0 ? asked : DEFAULT_HOURS)
  const report = await loadSloReport(c.env, systemClock(), hours)
  const requests = report.series.reduce((n, p) => n + p.requests, 0)
  const frame = await frameOf(c)
  return renderPage(
    c,
    <AdminLayout title="Service level objectives" active="/admin/slo" {...frame}>
      <nav class="filter" aria-label="Window">
        {windows.map((h) => (
          <a href={`/admin/slo?hours=${h}`} aria-current={h === report.hours ? 'true' : undefined}>{h} h</a>
        ))}
      </nav>
      <p class="hint">
        <span id="requests-total" data-total={String(requests)}>{requests}</span> route requests over the last {report.hours} h, in steps of {report.stepSeconds / 60} min;
        as of {formatTime(report.generatedAt)}.
      </p>
      <SloCharts report={report} />
      <h2>Objectives</h2>
      <ObjectivesTable objectives={report.objectives} />
      <h2>The last hour</h2>
      <RoutesTable routes={report.routes} />
    </AdminLayout>,
  )
})
