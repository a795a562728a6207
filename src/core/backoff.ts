/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): the n-th retry waits a uniformly random time in [0, min(cap, base · 2^(n-1))], which
 * spreads a crowd of retries out instead of letting them strike again in step.
 * `random` returns a number in [0, 1).
 */
export type BackoffOptions = { baseSeconds: number; capSeconds: number }

export function backoffSeconds(attempt: number, random: () => number, { baseSeconds, capSeconds }: BackoffOptions): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30))
  const ceiling = Math.min(capSeconds, baseSeconds * 2 ** exponent)
  return Math.floor(random() * (ceiling + 1))
}
