import type { FC } from 'hono/jsx'
import { barGeometry, type BarInput } from './svg-bars'
import { ChartFrame } from './svg-chart-frame'

/**
 * A bar chart as inline SVG (geometry from svg-bars.ts). Each bar carries `data-label` and
 * `data-value` and a <title> for a screen reader or a hover; the figure's table-like caption says
 * what it counts.
 */
export const SvgBars: FC<BarInput & { id: string; title: string }> = ({ id, title, ...input }) => {
  const g = barGeometry(input)
  return (
    <ChartFrame id={id} title={title} g={g}>
      {g.bars.map((b) => (
        <>
          <rect class="bar" x={b.x} y={b.y} width={b.width} height={b.height} data-label={b.label} data-value={String(b.value)}>
            <title>{`${b.label}: ${b.value}`}</title>
          </rect>
          <text x={b.x + b.width / 2} y={g.height - 6} text-anchor="middle">{b.label}</text>
        </>
      ))}
    </ChartFrame>
  )
}
