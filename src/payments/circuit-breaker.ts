/**
 * A circuit breaker over a sliding window, as pure state transitions (Saleor's defaults are a good
 * start: open at ≥ 100 failures that are ≥ 35% of calls in 5 minutes; try again after 2 minutes).
 * Closed: calls go through and are counted. Open: calls are refused at once. After the cooldown,
 * half-open: calls go through; the first success closes it, the first failure opens it again.
 */
export type BreakerPolicy = { minFailures: number; failureRate: number; windowMs: number; cooldownMs: number }

export type BreakerState = {
  mode: 'closed' | 'open' | 'half_open'
  openedAt: number | null
  /** Counts per bucket of windowMs / BUCKETS, keyed by bucket start. */
  buckets: { start: number; ok: number; failed: number }[]
}

const BUCKETS = 30

export const closedBreaker = (): BreakerState => ({ mode: 'closed', openedAt: null, buckets: [] })

export function allows(s: BreakerState, now: number, p: BreakerPolicy): { allowed: boolean; state: BreakerState } {
  if (s.mode === 'open' && s.openedAt !== null && now - s.openedAt >= p.cooldownMs) return { allowed: true, state: { ...s, mode: 'half_open' } }
  return { allowed: s.mode !== 'open', state: s }
}

export function record(s: BreakerState, outcome: 'ok' | 'failed', now: number, p: BreakerPolicy): BreakerState {
  if (s.mode === 'half_open') return outcome === 'ok' ? closedBreaker() : { mode: 'open', openedAt: now, buckets: [] }
  const width = p.windowMs / BUCKETS
  const start = Math.floor(now / width) * width
  const recent = s.buckets.filter((b) => b.start > now - p.windowMs)
  const current = recent.find((b) => b.start === start) ?? { start, ok: 0, failed: 0 }
  const bumped = { ...current, ok: current.ok + (outcome === 'ok' ? 1 : 0), failed: current.failed + (outcome === 'failed' ? 1 : 0) }
  const buckets = [...recent.filter((b) => b.start !== start), bumped]
  if (s.mode === 'open') return { ...s, buckets }
  const failed = buckets.reduce((n, b) => n + b.failed, 0)
  const total = buckets.reduce((n, b) => n + b.ok + b.failed, 0)
  if (failed >= p.minFailures && failed / total >= p.failureRate) return { mode: 'open', openedAt: now, buckets: [] }
  return { mode: 'closed', openedAt: null, buckets }
}
