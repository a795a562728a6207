import { TracedObject } from '../platform/traced-object'
import { consume, idleAt, isIdle, refund, type GcraState, type RateLimitVerdict } from './gcra'
import type { RateLimitPolicy } from './rate-limit-policy'

const STATE_KEY = 'gcra'

/**
 * The counter for one (class, subject), e.g. ("write", "usr:usr_01…"). A Durable Object makes
 * each check exact and serial without locks, holds any window length (15 minutes for failed
 * logins) and survives restarts, which an in-isolate counter or the rate-limit binding does not.
 * An alarm forgets the state once it is idle, so idle subjects cost no storage.
 */
export class RateLimiterObject extends TracedObject {
  /** Tests replace it through `runInDurableObject` to move time. */
  now = (): number => Date.now()

  async consume(policy: RateLimitPolicy, cost = 1): Promise<RateLimitVerdict> {
    const before = this.load()
    const result = consume(before, policy, this.now(), cost)
    await this.save(before, result.state)
    return result.verdict
  }

  async refund(policy: RateLimitPolicy, cost = 1): Promise<void> {
    const before = this.load()
    await this.save(before, refund(before, policy, this.now(), cost))
  }

  async reset(): Promise<void> {
    await this.save(this.load(), undefined)
  }

  /** A cheap round trip for /health. */
  ping(): 'pong' {
    return 'pong'
  }

  override async alarm(): Promise<void> {
    const state = this.load()
    if (isIdle(state, this.now())) this.ctx.storage.kv.delete(STATE_KEY)
    else if (state) await this.ctx.storage.setAlarm(idleAt(state))
  }

  private load(): GcraState | undefined {
    return this.ctx.storage.kv.get<GcraState>(STATE_KEY)
  }

  private async save(before: GcraState | undefined, after: GcraState | undefined): Promise<void> {
    if (!after) {
      if (before) this.ctx.storage.kv.delete(STATE_KEY)
      return
    }
    this.ctx.storage.kv.put(STATE_KEY, after)
    // One alarm per busy period: armed when state appears, re-armed by alarm() while still busy.
    if (!before) await this.ctx.storage.setAlarm(idleAt(after))
  }
}
