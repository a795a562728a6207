import { DurableObject } from 'cloudflare:workers'
import { allows, closedBreaker, record, type BreakerPolicy, type BreakerState } from './circuit-breaker'

const STATE_KEY = 'breaker'

/**
 * The breaker of one payment provider, shared by every isolate: a single object decides, so a
 * provider that fails everywhere is cut off everywhere at once, and probed again after cooldown.
 */
export class CircuitBreakerObject extends DurableObject<Env> {
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): number => Date.now()

  allow(policy: BreakerPolicy): boolean {
    const result = allows(this.load(), this.now(), policy)
    this.save(result.state)
    return result.allowed
  }

  record(outcome: 'ok' | 'failed', policy: BreakerPolicy): BreakerState['mode'] {
    const next = record(this.load(), outcome, this.now(), policy)
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
