import { TracedObject } from '../platform/traced-object'
import { allows, closedBreaker, record, type BreakerPolicy, type BreakerState } from './circuit-breaker'

const STATE_KEY = 'breaker'

/**
 * The breaker of one payment provider, shared by every isolate: a single object decides, so a
 * provider that fails everywhere is cut off everywhere at once, and probed again after cooldown.
 */
export class CircuitBreakerObject extends TracedObject {
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): number => Date.now()

  allow(policy: BreakerPolicy): boolean {
    return this.check(policy).allowed
  }

  /** Whether a call may go ahead now, and the mode it leaves the breaker in. */
  check(policy: BreakerPolicy): { allowed: boolean; mode: BreakerState['mode'] } {
    const result = allows(this.load(), this.now(), policy)
    this.save(result.state)
    return { allowed: result.allowed, mode: result.state.mode }
  }

  /** Records `okBefore` successes an isolate kept back (see BreakerView), then this outcome. */
  record(outcome: 'ok' | 'failed', policy: BreakerPolicy, okBefore = 0): BreakerState['mode'] {
    const now = this.now()
    let state = this.load()
    for (let i = 0; i < okBefore && state.mode === 'closed'; i++) state = record(state, 'ok', now, policy)
    const next = record(state, outcome, now, policy)
    this.save(next)
    return next.mode
  }

  mode(): BreakerState['mode'] {
    return this.load().mode
  }

  private load(): BreakerState {
    return this.ctx.storage.kv.get<BreakerState>(STATE_KEY) ?? closedBreaker()
  }

  private save(state: BreakerState): void {
    this.ctx.storage.kv.put(STATE_KEY, state)
  }
}
