import { niceCeiling } from './svg-chart'

/**
 * Bar charts as plain geometry, for the console to draw as inline SVG (a poll's distribution of
 * scores). Pure: labelled counts in, rectangles and ticks out. A zero is a bar of no height, never
 * left out, so the axis always shows every label; negative or non-finite values count as zero.
 */

export type BarInput = { labels: readonly string[]; values: readonly number[]; width?: number; height?: number }
export type Bar = { label: string; value: number; x: number; y: number; width: number; height: number }
export type BarGeometry = { width: number; height: number; plot: { left: number; top: number; right: number; bottom: number }; yMax: number; bars: Bar[]; yTicks: { at: number; label: string }[] }

const PAD = { left: 36, top: 10, right: 8, bottom: 22 }
const GAP = 0.2
const round = (n: number) => Math.round(n * 10) / 10

export function barGeometry(input: BarInput): BarGeometry {
  const width = input.width ?? 560
  const height = input.height ?? 200
  const plot = { left: PAD.left, top: PAD.top, right: width - PAD.right, bottom: height - PAD.bottom }
  const n = input.labels.length
  const values = input.labels.map((_, i) => {
    const v = input.values[i]
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0
  })
  const yMax = niceCeiling(Math.max(0, ...values))
  const slot = n === 0 ? 0 : (plot.right - plot.left) / n
  const barWidth = slot * (1 - GAP)
  const y = (v: number) => plot.bottom - (Math.min(v, yMax) / yMax) * (plot.bottom - plot.top)
  const bars = input.labels.map((label, i) => {
    const value = values[i] ?? 0
    const top = y(value)
    return { label, value, x: round(plot.left + i * slot + (slot - barWidth) / 2), y: round(top), width: round(barWidth), height: round(plot.bottom - top) }
  })
  const yTicks = [0, 0.5, 1].map((f) => ({ at: round(y(f * yMax)), label: String(round(f * yMax)) }))
  return { width, height, plot, yMax, bars, yTicks }
}
