/**
 * Line charts as plain geometry, for the console to draw as inline SVG: no script, no library,
 * nothing fetched. Pure: values in, path data and tick positions out. A missing value (null, or
 * not a finite number) breaks its line rather than dropping it to zero, so an empty minute is a
 * gap, not an outage; an empty chart still has its axes.
 */

export type ChartSeries = { label: string; values: readonly (number | null)[] }

export type ChartInput = {
  /** Epoch ms of each step, one per value of every series. */
  times: readonly number[]
  series: readonly ChartSeries[]
  /** Horizontal reference lines (an objective's threshold, a burn-rate rule's factor). */
  thresholds?: readonly { value: number; label: string }[]
  width?: number
  height?: number
  /** How a y tick reads: `12 ms`, `2.5%`, `14.4×`. */
  formatY?: (v: number) => string
}

export type ChartLine = { label: string; d: string; points: number }
/** `anchor`: how the label sits on its tick (the first and last keep inside the chart). */
export type Tick = { at: number; label: string; anchor?: 'start' | 'middle' | 'end' }

export type ChartGeometry = {
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number }
  yMax: number
  lines: ChartLine[]
  xTicks: Tick[]
  yTicks: Tick[]
  thresholds: { y: number; label: string }[]
}

const PAD = { left: 48, top: 10, right: 12, bottom: 22 }

/**
 * The smallest 1, 2 or 5 × 10ⁿ at or above `v`, so the y axis reads in round numbers; 1 when there
 * is nothing to show (nothing, or less than a billionth: a zero after arithmetic).
 */
export function niceCeiling(v: number): number {
  if (!Number.isFinite(v) || v < 1e-9) return 1
  const power = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * power >= v * (1 - 1e-12)) return m * power
  return 10 * power
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v)

const round = (n: number) => Math.round(n * 10) / 10

/**
 * The path of one series: `M` at the start and after every gap, `L` to each next value. A value
 * alone between gaps is drawn as a dot (a zero-length segment, made visible by round caps).
 */
export function linePath(values: readonly (number | null)[], x: (i: number) => number, y: (v: number) => number): { d: string; points: number } {
  const parts: string[] = []
  let drawing = false
  let points = 0
  values.forEach((v, i) => {
    if (!finite(v)) {
      drawing = false
      return
    }
    const next = values[i + 1]
    const alone = !drawing && !finite(next)
    parts.push(`${drawing ? 'L' : 'M'}${round(x(i))},${round(y(v))}${alone ? 'l0,0' : ''}`)
    drawing = true
    points++
  })
  return { d: parts.join(' '), points }
}

/** "HH:MM" in UTC; with the day ("MM-DD HH:MM") when the window spans more than a day. */
export function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString()
  return spanMs > 86_400_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16)
}

export function chartGeometry(input: ChartInput): ChartGeometry {
  const width = input.width ?? 560
  const height = input.height ?? 180
  const plot = { left: PAD.left, top: PAD.top, right: width - PAD.right, bottom: height - PAD.bottom }
  const n = input.times.length
  const formatY = input.formatY ?? ((v: number) => String(round(v)))
  const values = input.series.flatMap((s) => s.values.filter(finite))
  const yMax = niceCeiling(Math.max(0, ...values, ...(input.thresholds ?? []).map((t) => t.value)))
  const x = (i: number) => (n <= 1 ? (plot.left + plot.right) / 2 : plot.left + (i / (n - 1)) * (plot.right - plot.left))
  const y = (v: number) => plot.bottom - (Math.min(Math.max(v, 0), yMax) / yMax) * (plot.bottom - plot.top)
  const lines = input.series.map((s) => ({ label: s.label, ...linePath(s.values.slice(0, n), x, y) }))
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ at: round(y(f * yMax)), label: formatY(f * yMax) }))
  const first = input.times[0]
  const last = input.times[n - 1]
  const span = first !== undefined && last !== undefined ? last - first : 0
  const xTickCount = Math.min(n, 5)
  const xTicks: Tick[] = Array.from({ length: xTickCount }, (_, k) => {
    const i = xTickCount === 1 ? 0 : Math.round((k / (xTickCount - 1)) * (n - 1))
    const anchor = xTickCount === 1 ? 'middle' : k === 0 ? 'start' : k === xTickCount - 1 ? 'end' : 'middle'
    return { at: round(x(i)), label: timeLabel(input.times[i] ?? 0, span), anchor }
  })
  const thresholds = (input.thresholds ?? []).filter((t) => finite(t.value) && t.value >= 0).map((t) => ({ y: round(y(t.value)), label: t.label }))
  return { width, height, plot, yMax, lines, xTicks, yTicks, thresholds }
}
