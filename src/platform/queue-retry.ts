import { settingsOf } from '../config'
import { backoffSeconds, type BackoffOptions } from '../core/backoff'

/**
 * Sends a message back to its queue after a jittered backoff (core/backoff.ts) scaled by
 * QUEUE_RETRY_SCALE: 1 in production; small locally, so a message that keeps failing reaches its
 * dead-letter queue in seconds instead of an hour, and tests and operators can watch it happen.
 * `atLeastSeconds` (a provider's Retry-After) is never scaled: the provider said when, wherever Souk runs.
 */
export function retryWithBackoff(msg: Message, env: Env, backoff: BackoffOptions, atLeastSeconds = 0): void {
  const seconds = Math.max(backoffSeconds(msg.attempts, Math.random, backoff) * settingsOf(env).queueRetryScale, atLeastSeconds)
  msg.retry({ delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.round(seconds)) })
}

/** Queues delay a message by at most 12 hours; a Retry-After of a day would make `retry` throw. */
const MAX_DELAY_SECONDS = 43_200
