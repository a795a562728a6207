import type { BreakerPolicy, BreakerState } from './circuit-breaker'

/** The shared breaker object, as an isolate reaches it (a stub per request: the view keeps only numbers). */
export interface SharedBreaker {
  check(policy: BreakerPolicy): Promise<{ allowed: boolean; mode: BreakerState['mode'] }>
  /** Records `okBefore` successes and then `outcome`; answers the mode after. */
  record(outcome: 'ok' | 'failed', policy: BreakerPolicy, okBefore: number): Promise<BreakerState['mode']>
}

/** How long an isolate trusts a `closed` answer, and how many successes it keeps before reporting them. */
export const VIEW_TTL_MS = 1000
export const OK_BATCH = 50

/**
 * One isolate's view of a provider's shared breaker, so the happy path costs no round trip: a
 * `closed` answer is trusted for a second, and successes are reported in batches (or with the
 * next failure, which is when they matter: the breaker opens on a failure rate). Anything but
 * `closed` asks the object every time, so an open breaker and its half-open probe are exact.
 * Another isolate's opening reaches this one within VIEW_TTL_MS.
 */
export class BreakerView {
  private mode: BreakerState['mode'] | null = null
  private checkedAt = 0
  private unreportedOk = 0

  constructor(private readonly now: () => number) {}

  async allow(shared: SharedBreaker, policy: BreakerPolicy): Promise<boolean> {
    if (this.mode === 'closed' && this.now() - this.checkedAt < VIEW_TTL_MS) return true
    const { allowed, mode } = await shared.check(policy)
    this.remember(mode)
    return allowed
  }

  async record(shared: SharedBreaker, outcome: 'ok' | 'failed', policy: BreakerPolicy): Promise<void> {
    if (outcome === 'ok' && this.mode === 'closed' && this.unreportedOk + 1 < OK_BATCH) {
      this.unreportedOk++
      return
    }
    const okBefore = this.unreportedOk
    this.unreportedOk = 0
    this.remember(await shared.record(outcome, policy, okBefore))
  }

  private remember(mode: BreakerState['mode']): void {
    this.mode = mode
    this.checkedAt = this.now()
  }
}
