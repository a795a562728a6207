/** Latency summaries for the bench: percentiles by nearest rank over sorted samples (ms). */
export type Summary = { count: number; p50: number; p90: number; p99: number; max: number; mean: number }

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length)
  return { count: sorted.length, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted.at(-1) ?? 0, mean }
}

export const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
