/**
 * The life of one Idempotency-Key, as pure transitions (IETF draft, Stripe semantics).
 *
 *   (none) ──begin──▶ in_flight ──complete──▶ completed ──(ttl)──▶ (none)
 *                        │  ├──abandon──▶ (none)
 *                        │  └──begin with its own lease──▶ in_flight, unchanged (a retried begin)
 *                        └──lease expired, begin again──▶ in_flight (the first runner died)
 *
 * The caller brings the lease, so `begin` is safe to repeat: a call whose answer was lost on the
 * way back, asked again with the same fingerprint and lease, gets `proceed` again: it is the same
 * claim, not a second runner.
 *
 * The record never holds the request or response in the clear: `fingerprint` is a keyed hash of
 * the request and `response` is sealed with a key only the client's Idempotency-Key can derive.
 */
export type IdempotencyRecord =
  | { state: 'in_flight'; fingerprint: string; lease: string; leaseExpiresAt: number; expiresAt: number }
  | { state: 'completed'; fingerprint: string; response: string; expiresAt: number }

export type BeginOutcome =
  | { kind: 'proceed'; lease: string }
  | { kind: 'replay'; response: string }
  | { kind: 'in_progress'; retryAfterMs: number }
  | { kind: 'mismatch' }

export type Timing = { now: number; leaseMs: number; ttlMs: number }

export function begin(
  record: IdempotencyRecord | undefined,
  fingerprint: string,
  lease: string,
  { now, leaseMs, ttlMs }: Timing,
): { outcome: BeginOutcome; record: IdempotencyRecord | undefined } {
  // A record lives until its retention ends, and an in-flight one at least until its lease does.
  const live = record && (record.expiresAt > now || (record.state === 'in_flight' && record.leaseExpiresAt > now)) ? record : undefined
  const claim = (): { outcome: BeginOutcome; record: IdempotencyRecord } => ({
    outcome: { kind: 'proceed', lease },
    record: {
      state: 'in_flight',
      fingerprint,
      lease,
      leaseExpiresAt: now + leaseMs,
      // A takeover keeps the key's original retention, but never ends it before its own lease.
      expiresAt: Math.max(live?.expiresAt ?? now + ttlMs, now + leaseMs),
    },
  })
  if (!live) return claim()
  if (live.fingerprint !== fingerprint) return { outcome: { kind: 'mismatch' }, record }
  if (live.state === 'completed') return { outcome: { kind: 'replay', response: live.response }, record }
  if (live.leaseExpiresAt > now) {
    if (live.lease === lease) return { outcome: { kind: 'proceed', lease }, record } // the same claim, asked again
    return { outcome: { kind: 'in_progress', retryAfterMs: live.leaseExpiresAt - now }, record }
  }
  return claim()
}

/** From when the record may be forgotten: `begin` treats it as absent after its retention, and its lease. */
export const forgettableAt = (record: IdempotencyRecord): number => (record.state === 'in_flight' ? Math.max(record.expiresAt, record.leaseExpiresAt) : record.expiresAt)

/**
 * Stores the response, if `lease` still holds the key (a runner whose lease expired lost it). A
 * repeat of the call that stored it (its answer was lost) answers stored again and changes nothing:
 * a sealed response carries a fresh nonce, so no other runner ever brings the same one.
 */
export function complete(
  record: IdempotencyRecord | undefined,
  lease: string,
  response: string,
): { stored: boolean; record: IdempotencyRecord | undefined } {
  if (record?.state === 'completed' && record.response === response) return { stored: true, record }
  if (record?.state !== 'in_flight' || record.lease !== lease) return { stored: false, record }
  return { stored: true, record: { state: 'completed', fingerprint: record.fingerprint, response, expiresAt: record.expiresAt } }
}

/** Frees the key without a stored response, so the same request may run again. */
export function abandon(record: IdempotencyRecord | undefined, lease: string): IdempotencyRecord | undefined {
  return record?.state === 'in_flight' && record.lease === lease ? undefined : record
}

/**
 * Which outcomes a key keeps. Stripe keeps a result once the endpoint began executing. Souk keeps
 * successes and the answers an operation gives once it has run against the current state: 402
 * (payment declined), 409 (conflict with that state), 410 and 422 (a domain rule refused it).
 * Refusals that come before anything ran are not kept, so the corrected retry runs: 400
 * (validation), 401 (credential or step-up code), 403, 404, 413, 415, 428 and 429 (come back later).
 * A 5xx frees the key too: every step behind a Souk route is itself idempotent, so a retry is safe.
 */
const keptRefusals = new Set([402, 409, 410, 422])

export function shouldKeep(status: number): boolean {
  return (status >= 200 && status < 300) || keptRefusals.has(status)
}
