import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allows, closedBreaker, record, type BreakerPolicy, type BreakerState } from '../../../src/payments/circuit-breaker'

/**
 * The breaker under any sequence of calls and outcomes over time, judged by a model that keeps
 * each outcome with its time (not buckets): an outcome counts while the window-sized stretch
 * ending now still reaches the start of the 1/30-of-the-window slice it fell in.
 */
const POLICY: BreakerPolicy = { minFailures: 5, failureRate: 0.5, windowMs: 60_000, cooldownMs: 30_000 }
const SLICE = POLICY.windowMs / 30

type Command = { kind: 'allow' } | { kind: 'record'; outcome: 'ok' | 'failed' }

class BreakerModel {
  mode: 'closed' | 'open' | 'half_open' = 'closed'
  openedAt: number | null = null
  outcomes: { at: number; outcome: 'ok' | 'failed' }[] = []
  constructor(readonly p: BreakerPolicy) {}

  allow(now: number): boolean {
    if (this.mode === 'open' && this.openedAt !== null && now - this.openedAt >= this.p.cooldownMs) this.mode = 'half_open'
    return this.mode !== 'open'
  }

  record(outcome: 'ok' | 'failed', now: number): void {
    if (this.mode === 'half_open') return outcome === 'ok' ? this.close() : this.open(now)
    if (this.mode === 'open') return
    const slice = this.p.windowMs / 30
    this.outcomes = [...this.outcomes, { at: now, outcome }].filter((o) => Math.floor(o.at / slice) * slice > now - this.p.windowMs)
    const failed = this.outcomes.filter((o) => o.outcome === 'failed').length
    if (failed >= this.p.minFailures && failed / this.outcomes.length >= this.p.failureRate) this.open(now)
  }

  private open(now: number): void {
    this.mode = 'open'
    this.openedAt = now
    this.outcomes = []
  }

  private close(): void {
    this.mode = 'closed'
    this.openedAt = null
    this.outcomes = []
  }
}

const policyArb: fc.Arbitrary<BreakerPolicy> = fc.record({
  minFailures: fc.integer({ min: 1, max: 8 }),
  failureRate: fc.constantFrom(0.1, 0.25, 0.35, 0.5, 0.75, 1),
  // A whole number of milliseconds per slice, so slices start on whole milliseconds.
  windowMs: fc.integer({ min: 1, max: 200 }).map((n) => n * 30 * 100),
  cooldownMs: fc.integer({ min: 1, max: 60_000 }),
})
const stepArb = fc.record({
  waitMs: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 120_000 }) }),
  command: fc.oneof(
    { weight: 1, arbitrary: fc.constant<Command>({ kind: 'allow' }) },
    { weight: 2, arbitrary: fc.constantFrom<Command>({ kind: 'record', outcome: 'ok' }, { kind: 'record', outcome: 'failed' }) },
  ),
})

/** Records `n` outcomes at `now`, each asked for first as a caller would. */
function recordMany(s: BreakerState, outcome: 'ok' | 'failed', n: number, now: number, p = POLICY): BreakerState {
  let state = s
  for (let i = 0; i < n; i++) state = record(state, outcome, now, p)
  return state
}

describe('the circuit breaker under any calls and outcomes', () => {
  it('opens, refuses, half-opens and closes exactly as the windowed model says', () => {
    const seen = new Map<string, number>()
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 10_000_000 }), fc.array(stepArb, { minLength: 1, maxLength: 150, size: 'max' }), (p, start, steps) => {
        let s = closedBreaker()
        const model = new BreakerModel(p)
        let now = start
        for (const { waitMs, command } of steps) {
          now += waitMs
          const before = s.mode
          if (command.kind === 'allow') {
            const a = allows(s, now, p)
            expect(a.allowed).toBe(model.allow(now))
            // Asking never closes an open breaker and never opens one.
            if (before !== 'open') expect(a.state).toBe(s)
            s = a.state
          } else {
            s = record(s, command.outcome, now, p)
            model.record(command.outcome, now)
          }
          expect(s.mode).toBe(model.mode)
          const key = `${before}>${s.mode}`
          seen.set(key, (seen.get(key) ?? 0) + 1)
          expect(s.openedAt).toBe(model.mode === 'closed' ? null : model.openedAt)
          if (s.mode === 'closed') {
            expect(s.buckets.reduce((n, b) => n + b.failed, 0)).toBe(model.outcomes.filter((o) => o.outcome === 'failed').length)
            expect(s.buckets.reduce((n, b) => n + b.ok + b.failed, 0)).toBe(model.outcomes.length)
            expect(s.buckets.length).toBeLessThanOrEqual(30)
          }
        }
      }),
      { numRuns: 200 },
    )
    // Every move of the breaker happened, many times (else the model was checked on too little).
    for (const move of ['closed>open', 'open>half_open', 'half_open>closed', 'half_open>open']) expect(seen.get(move) ?? 0).toBeGreaterThan(20)
  })

  it('never opens on successes alone', () => {
    fc.assert(
      fc.property(policyArb, fc.array(fc.nat(5_000), { maxLength: 100 }), (p, waits) => {
        let s = closedBreaker()
        let now = 0
        for (const w of waits) {
          now += w
          s = record(s, 'ok', now, p)
          expect(s.mode).toBe('closed')
        }
      }),
    )
  })
})

describe('opening', () => {
  it('opens at minFailures failures that are at least failureRate of the calls in the window', () => {
    let s = recordMany(closedBreaker(), 'ok', 5, 1_000)
    s = recordMany(s, 'failed', 4, 1_000)
    expect(s.mode).toBe('closed')
    s = record(s, 'failed', 1_000, POLICY)
    expect(s).toEqual({ mode: 'open', openedAt: 1_000, buckets: [] })
  })

  it('stays closed with many failures that are below the failure rate', () => {
    let s = recordMany(closedBreaker(), 'ok', 11, 1_000)
    s = recordMany(s, 'failed', 10, 1_000)
    expect(s.mode).toBe('closed')
    expect(record(s, 'failed', 1_000, POLICY).mode).toBe('open')
  })

  it('stays closed with every call failing but fewer than minFailures of them', () => {
    expect(recordMany(closedBreaker(), 'failed', 4, 1_000).mode).toBe('closed')
  })

  it('lets failures older than the window fall out of the count', () => {
    const s = recordMany(closedBreaker(), 'failed', 4, 0)
    // A window later, the four old failures no longer count: one new failure does not open it.
    const later = record(s, 'failed', POLICY.windowMs, POLICY)
    expect(later.mode).toBe('closed')
    expect(later.buckets).toEqual([{ start: POLICY.windowMs, ok: 0, failed: 1 }])
    // Still inside the window (the next slice), they count, and the fifth failure opens it.
    expect(record(s, 'failed', SLICE, POLICY).mode).toBe('open')
  })

  it('counts in slices of 1/30 of the window, one bucket per slice', () => {
    let s = closedBreaker()
    s = record(s, 'ok', 0, POLICY)
    s = record(s, 'ok', SLICE - 1, POLICY)
    s = record(s, 'failed', SLICE, POLICY)
    expect(s.buckets).toEqual([
      { start: 0, ok: 2, failed: 0 },
      { start: SLICE, ok: 0, failed: 1 },
    ])
  })
})

describe('open, half-open and closing again', () => {
  const opened = recordMany(closedBreaker(), 'failed', 5, 10_000)

  it('refuses every call until the cooldown has passed', () => {
    expect(opened.mode).toBe('open')
    expect(allows(opened, 10_000, POLICY).allowed).toBe(false)
    expect(allows(opened, 10_000 + POLICY.cooldownMs - 1, POLICY)).toEqual({ allowed: false, state: opened })
  })

  it('half-opens once the cooldown has passed, letting calls through', () => {
    const a = allows(opened, 10_000 + POLICY.cooldownMs, POLICY)
    expect(a.allowed).toBe(true)
    expect(a.state.mode).toBe('half_open')
    expect(allows(a.state, 10_000 + POLICY.cooldownMs + 1, POLICY).allowed).toBe(true)
  })

  it('closes on the first success after half-opening, with a clean count', () => {
    const half = allows(opened, 10_000 + POLICY.cooldownMs, POLICY).state
    expect(record(half, 'ok', 50_000, POLICY)).toEqual(closedBreaker())
  })

  it('opens again on the first failure after half-opening, with a fresh cooldown', () => {
    const half = allows(opened, 10_000 + POLICY.cooldownMs, POLICY).state
    const reopened = record(half, 'failed', 50_000, POLICY)
    expect(reopened).toEqual({ mode: 'open', openedAt: 50_000, buckets: [] })
    expect(allows(reopened, 50_000 + POLICY.cooldownMs - 1, POLICY).allowed).toBe(false)
    expect(allows(reopened, 50_000 + POLICY.cooldownMs, POLICY).allowed).toBe(true)
  })

  it('stays open when outcomes of calls already in flight arrive while open', () => {
    const s = recordMany(opened, 'ok', 3, 11_000)
    expect(s.mode).toBe('open')
    expect(s.openedAt).toBe(10_000)
  })
})
