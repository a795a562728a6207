import type { FC } from 'hono/jsx'
import type { ObjectiveReport, RouteReport, SloReport } from '../../ops/slo-report'
import { SvgChart } from './svg-chart-view'

/** The console's SLO views (the overview's table, the SLO page's charts), over `loadSloReport`'s report. */

const percent = (v: number, digits = 2) => `${(v * 100).toFixed(digits)}%`
const times = (v: number) => `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`
const ms = (v: number | null) => (v === null ? '—' : `${v} ms`)

/** Each objective: target, what its period holds, the budget left, its burn rates and what fires. */
export const ObjectivesTable: FC<{ objectives: readonly ObjectiveReport[] }> = ({ objectives }) => (
  <table id="objectives">
    <thead>
      <tr>
        <th>Objective</th><th class="num">Target</th><th class="num">Period</th><th class="num">Events (good)</th><th class="num">Budget left</th>
        <th class="num">Burn 5 min</th><th class="num">30 min</th><th class="num">1 h</th><th class="num">6 h</th><th>Firing</th>
      </tr>
    </thead>
    <tbody>
      {objectives.map((o) => (
        <tr id={`objective-${o.id}`}>
          <td><strong>{o.id}</strong><br /><span class="hint">{o.description}</span></td>
          <td class="num">{percent(o.target, 2)}</td>
          <td class="num">{o.periodDays} d</td>
          <td class="num">{o.period.total} ({o.period.good})</td>
          <td class={`num ${o.budgetLeft <= 0 ? 'firing' : ''}`}>{percent(o.budgetLeft, 1)}</td>
          <td class="num">{times(o.burnRates['5m'])}</td>
          <td class="num">{times(o.burnRates['30m'])}</td>
          <td class="num">{times(o.burnRates['1h'])}</td>
          <td class="num">{times(o.burnRates['6h'])}</td>
          <td class={o.firing.length > 0 ? 'firing' : 'healthy'}>{o.firing.length > 0 ? o.firing.join(', ') : 'none'}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

/** What ran in the last hour, busiest first. */
export const RoutesTable: FC<{ routes: readonly RouteReport[] }> = ({ routes }) => (
  <table id="routes">
    <thead>
      <tr><th>Kind</th><th>Name</th><th class="num">Last hour</th><th class="num">Per second</th><th class="num">Errors</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th></tr>
    </thead>
    <tbody>
      {routes.map((r) => (
        <tr>
          <td>{r.kind}</td>
          <td><code>{r.name}</code></td>
          <td class="num">{r.total}</td>
          <td class="num">{r.ratePerSecond.toFixed(3)}</td>
          <td class="num">{percent(r.errorRate)}</td>
          <td class="num">{ms(r.p50Ms)}</td>
          <td class="num">{ms(r.p90Ms)}</td>
          <td class="num">{ms(r.p99Ms)}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

/**
 * The charts over the report's series: latency percentiles, requests and their error rate per
 * step, and each objective's burn rate against the burn-rate rules' factors (14.4× fast, 6× slow)
 * and 1× (the budget spent exactly over its period).
 */
export const SloCharts: FC<{ report: SloReport }> = ({ report }) => {
  const at = report.series.map((p) => Date.parse(p.at))
  const step = `${report.stepSeconds / 60} min`
  return (
    <div class="grid">
      <SvgChart id="latency" title={`Latency per ${step} (routes)`} times={at} formatY={(v) => `${Math.round(v)} ms`}
        series={[{ label: 'p50', values: report.series.map((p) => p.p50Ms) }, { label: 'p99', values: report.series.map((p) => p.p99Ms) }]} />
      <SvgChart id="requests" title={`Requests per ${step}`} times={at} formatY={(v) => String(Math.round(v))}
        series={[{ label: 'requests', values: report.series.map((p) => p.requests) }]} />
      <SvgChart id="errors" title={`Error rate per ${step} (5xx)`} times={at} formatY={(v) => percent(v, 1)}
        series={[{ label: 'error rate', values: report.series.map((p) => (p.requests > 0 ? p.errorRate : null)) }]} />
      <SvgChart id="burn" title={`Burn rate per ${step}, by objective`} times={at} formatY={times}
        thresholds={[{ value: 14.4, label: 'fast burn 14.4×' }, { value: 6, label: 'slow burn 6×' }, { value: 1, label: '1×' }]}
        series={report.objectives.map((o) => ({ label: o.id, values: report.series.map((p) => p.burn[o.id] ?? null) }))} />
    </div>
  )
}
