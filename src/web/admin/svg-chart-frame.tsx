import type { Child, FC } from 'hono/jsx'

/** What every chart's frame needs from its geometry: its size, its plot area and its y ticks. */
export type FrameGeometry = { width: number; height: number; plot: { left: number; top: number; right: number; bottom: number }; yTicks: { at: number; label: string }[] }

/**
 * The figure every console chart is drawn in: caption, an SVG with its grid lines, y labels and
 * axes; the chart draws its marks inside (`children`) and may add a legend after (`after`).
 */
export const ChartFrame: FC<{ id: string; title: string; g: FrameGeometry; after?: Child; children?: Child }> = ({ id, title, g, after, children }) => (
  <figure class="chart" id={`chart-${id}`}>
    <figcaption>{title}</figcaption>
    <svg class="chart" viewBox={`0 0 ${g.width} ${g.height}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
      {g.yTicks.map((t) => (
        <>
          <line class="grid-line" x1={g.plot.left} x2={g.plot.right} y1={t.at} y2={t.at} />
          <text x={g.plot.left - 4} y={t.at + 3} text-anchor="end">{t.label}</text>
        </>
      ))}
      <line class="axis" x1={g.plot.left} x2={g.plot.left} y1={g.plot.top} y2={g.plot.bottom} />
      <line class="axis" x1={g.plot.left} x2={g.plot.right} y1={g.plot.bottom} y2={g.plot.bottom} />
      {children}
    </svg>
    {after}
  </figure>
)
