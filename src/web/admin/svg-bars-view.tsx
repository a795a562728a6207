import type { FC } from 'hono/jsx'
import { barGeometry, type BarInput } from './svg-bars'

/**
 * A bar chart as inline SVG (geometry from svg-bars.ts). Each bar carries `data-label` and
 * `data-value` and a <title> for a screen reader or a hover; the figure's table-like caption says
 * what it counts.
 */
export const SvgBars: FC<BarInput & { id: string; title: string }> = ({ id, title, ...input }) => {
  const g = barGeometry(input)
  const { plot } = g
  return (
    <figure class="chart" id={`chart-${id}`}>
      <figcaption>{title}</figcaption>
      <svg class="chart" viewBox={`0 0 ${g.width} ${g.height}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
        {g.yTicks.map((t) => (
          <>
            <line class="grid-line" x1={plot.left} x2={plot.right} y1={t.at} y2={t.at} />
            <text x={plot.left - 4} y={t.at + 3} text-anchor="end">{t.label}</text>
          </>
        ))}
        <line class="axis" x1={plot.left} x2={plot.left} y1={plot.top} y2={plot.bottom} />
        <line class="axis" x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} />
        {g.bars.map((b) => (
          <>
            <rect class="bar" x={b.x} y={b.y} width={b.width} height={b.height} data-label={b.label} data-value={String(b.value)}>
              <title>{`${b.label}: ${b.value}`}</title>
            </rect>
            <text x={b.x + b.width / 2} y={g.height - 6} text-anchor="middle">{b.label}</text>
          </>
        ))}
      </svg>
    </figure>
  )
}
