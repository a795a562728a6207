import { backoffSeconds } from '../core/backoff'
import { isRetryable } from '../core/transient-error'

export type RetryTransientOptions = {
  /** Calls in all, the first included. */
  attempts?: number
  /** The ceiling of the first wait; it doubles per retry up to `capMs` (full jitter: core/backoff.ts). */
  baseMs?: number
  capMs?: number
  /** Tests pass their own, so no test waits on a real timer or on luck. */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `op`, and runs it again, briefly, when it fails with a transient platform error that is
 * worth retrying (core/transient-error.ts: `.retryable`, reset, lost connection; never
 * `.overloaded`, which only adds load). Any other error, or the last transient one, is thrown as
 * it came. Only for calls that are safe to repeat: the first attempt may have landed.
 * With the defaults a caller waits at most 25 + 50 ms between three attempts.
 *
 * @example
 * const outcome = await retryTransient(() => record.begin(print, lease, timing))
 */
export async function retryTransient<T>(op: () => Promise<T>, options: RetryTransientOptions = {}): Promise<T> {
  const { attempts = 3, baseMs = 25, capMs = 250, sleep = sleepFor, random = Math.random } = options
  for (let attempt = 1; ; attempt++) {
    try {
      return await op()
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err
      // backoffSeconds is unit-free: full jitter over [0, min(cap, base · 2^(n-1))], here in ms.
      await sleep(backoffSeconds(attempt, random, { baseSeconds: baseMs, capSeconds: capMs }))
    }
  }
}
