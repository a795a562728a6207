/**
 * What a channel provider (e-mail, SMS, web push) made of one message. `retry` covers what may
 * succeed later (429, 5xx, timeouts): the queue retries it, after `retryAfterSeconds` when the
 * provider said. `refused` will not get better by retrying (a bad number, a rejected sender).
 * `gone` means the address itself is dead (a push subscription that expired): forget it.
 */
export type ProviderOutcome =
  | { kind: 'sent'; providerId?: string }
  | { kind: 'retry'; status: number; retryAfterSeconds?: number }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'gone'; status: number }

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), if it says anything usable. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000))
}

/** "Later", with the provider's own Retry-After when it gave one. */
export function retryLater(res: Response, nowMs: number): ProviderOutcome {
  const after = retryAfterSeconds(res.headers.get('retry-after'), nowMs)
  return after === undefined ? { kind: 'retry', status: res.status } : { kind: 'retry', status: res.status, retryAfterSeconds: after }
}
