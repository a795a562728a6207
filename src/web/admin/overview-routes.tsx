import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireAccess } from '../../http/authorization'
import { alertsStub, type AlertView } from '../../ops/alerts-object'
import { loadSloReport } from '../../ops/slo-adapters'
import { systemClock } from '../../platform/runtime'
import { frameOf, renderPage } from '../page-render'
import { AdminLayout, Empty } from './admin-layout'
import { formatTime } from './format'
import { ObjectivesTable } from './slo-view'

const RECENT_ALERTS = 20

const AlertsTable = ({ alerts }: { alerts: readonly AlertView[] }) => (
  <table id="alerts">
    <thead>
      <tr><th>Status</th><th>Severity</th><th>Alert</th><th>Objective or rate</th><th>Rule</th><th>Opened</th><th>Resolved</th></tr>
    </thead>
    <tbody>
      {alerts.map((a) => (
        <tr id={`alert-${a.id}`}>
          <td class={a.status === 'open' ? 'firing' : 'healthy'}>{a.status}</td>
          <td>{a.severity}</td>
          <td>{a.summary}</td>
          <td><code>{a.objective}</code></td>
          <td>{a.rule}</td>
          <td>{formatTime(a.openedAt)}</td>
          <td>{formatTime(a.resolvedAt)}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

/**
 * `/admin` (staff): the console's front page: the alerts open now and the latest resolved (as
 * `GET /v1/admin/alerts` lists them, with whether they reach PagerDuty), and every objective's
 * budget and burn (as `GET /v1/admin/slo`). The charts are on /admin/slo.
 */
export const overviewRoutes = new Hono<AppEnv>().get('/admin', requireAccess('ops.observe'), async (c) => {
  const [alerts, report] = await Promise.all([alertsStub(c.env).list({ status: 'all', limit: RECENT_ALERTS }), loadSloReport(c.env, systemClock(), 1)])
  const open = alerts.data.filter((a) => a.status === 'open')
  const frame = await frameOf(c)
  return renderPage(
    c,
    <AdminLayout title="Overview" active="/admin" {...frame}>
      <p class={`verdict ${open.length > 0 ? 'error' : 'ok'}`} role="status" id="alert-summary">
        {open.length > 0 ? `${open.length} alert${open.length === 1 ? '' : 's'} open` : 'No alert open'}
        {alerts.pager.configured ? '' : ' — PagerDuty is not configured: alerts are only kept and listed here'}
        {alerts.pager.pendingSends > 0 ? ` — ${alerts.pager.pendingSends} page(s) not yet taken by PagerDuty` : ''}
      </p>
      <h2>Alerts</h2>
      {alerts.data.length === 0 ? <Empty>No alert has been raised.</Empty> : <AlertsTable alerts={alerts.data} />}
      <h2>Objectives</h2>
      <ObjectivesTable objectives={report.objectives} />
      <p>
        <a href="/admin/slo">Charts: latency, error rate and burn over time →</a>
      </p>
    </AdminLayout>,
  )
})
