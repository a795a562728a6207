import type { FC } from 'hono/jsx'
import { chartGeometry, type ChartInput } from './svg-chart'
import { ChartFrame } from './svg-chart-frame'

/** How many line colours console.css defines (.s0 … .s7). */
const SERIES_COLOURS = 8

/**
 * A line chart as inline SVG (geometry from svg-chart.ts; colours from console.css by series
 * index). Each line's path carries `data-series` and `data-points` (how many values it drew), so
 * tests and people can tell an empty chart from a flat one.
 */
export const SvgChart: FC<ChartInput & { id: string; title: string }> = ({ id, title, ...input }) => {
  const g = chartGeometry(input)
  const { plot } = g
  const legend = (
    <div class="legend">
      {g.lines.map((l, i) => (
        <span>
          <span class={`swatch s${i % SERIES_COLOURS}`}></span>
          {l.label}
          {l.points === 0 ? ' (no data)' : ''}
        </span>
      ))}
    </div>
  )
  return (
    <ChartFrame id={id} title={title} g={g} after={legend}>
      {g.xTicks.map((t) => (
        <text x={t.at} y={g.height - 6} text-anchor={t.anchor ?? 'middle'}>{t.label}</text>
      ))}
      {g.thresholds.map((t) => (
        <>
          <line class="threshold" x1={plot.left} x2={plot.right} y1={t.y} y2={t.y} />
          <text x={plot.right - 2} y={t.y - 3} text-anchor="end">{t.label}</text>
        </>
      ))}
      {g.lines.map((l, i) => (
        <path class={`series s${i % SERIES_COLOURS}`} d={l.d} data-series={l.label} data-points={String(l.points)} />
      ))}
    </ChartFrame>
  )
}
